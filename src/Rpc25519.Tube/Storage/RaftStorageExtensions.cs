using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage;

/// <summary>Helpers that apply the host contract of docs/tube-raft.md to an <see cref="IRaftStorage"/>.</summary>
public static class RaftStorageExtensions
{
    /// <summary>
    /// Persists the durable parts of a <see cref="Ready"/> batch in the contract's order (snapshot, entries, hard
    /// state with configuration) and completes when all of it is fsynced. Send the batch's messages only after
    /// this task completes. Call it from the host loop, one batch at a time. A batch that only moves the commit index
    /// (<see cref="Ready.MustSync"/> false) is written without waiting for a sync: it reaches the disk with the next
    /// synced batch, and losing it in a crash loses nothing Raft needs.
    /// </summary>
    /// <param name="storage">The node's storage.</param>
    /// <param name="ready">The batch from <see cref="RaftNode.GetReady"/>; not changed.</param>
    /// <param name="cancellationToken">Stops waiting; the writes may still reach the disk.</param>
    /// <returns>A task that completes when the batch is durable, or once it is written when it need not be
    /// synced.</returns>
    public static async Task PersistAsync(this IRaftStorage storage, Ready ready,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(ready);
        if (ready.Snapshot is { } snapshot)
        {
            await storage.SaveSnapshotAsync(snapshot, cancellationToken);
        }

        storage.Append(ready.Entries);
        if (ready.HardState is not null || ready.Membership is not null)
        {
            storage.SaveState(ready.HardState, ready.Membership);
        }

        if (ready.MustSync)
        {
            await storage.FlushAsync(cancellationToken);
        }
    }
}
