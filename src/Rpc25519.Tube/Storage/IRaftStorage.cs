using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage;

/// <summary>
/// Durable storage for one Raft node: the log, the hard state with the configuration, and the latest snapshot.
/// Writes are queued by <see cref="Append"/> and <see cref="SaveState"/> and become durable (fsynced) together when
/// the task of <see cref="FlushAsync"/> completes; the host awaits that barrier before it sends the messages of a
/// <see cref="Ready"/> batch (see <see cref="RaftStorageExtensions.PersistAsync"/>).
/// Thread-safety: every member may be called from any thread, but the mutating calls (<see cref="Append"/>,
/// <see cref="SaveState"/>, <see cref="SaveSnapshotAsync"/>) must come from one caller at a time in the order the
/// host wants them on disk, as the host loop of docs/tube-raft.md does. Continuations of the returned tasks run on
/// the caller's scheduler, never inline in the writer.
/// </summary>
public interface IRaftStorage : IAsyncDisposable
{
    /// <summary>What the storage held when it was opened: the input for <c>new RaftNode(options, state)</c>. The
    /// entry list is a copy owned by the caller.</summary>
    RaftPersistentState Recovered { get; }

    /// <summary>The index of the last entry queued (durable or not), or the snapshot index if the log is
    /// empty.</summary>
    long LastIndex { get; }

    /// <summary>
    /// Queues entries for the log. If <c>entries[0].Index</c> is at or below <see cref="LastIndex"/>, the stored
    /// suffix from that index on is discarded first (a conflict found by the leader). The entries must be contiguous
    /// and start after the snapshot and at most one past <see cref="LastIndex"/>. The storage keeps references to
    /// the (immutable) entries. Not durable until a later <see cref="FlushAsync"/> completes.
    /// </summary>
    /// <param name="entries">Entries in index order; an empty list does nothing.</param>
    /// <exception cref="ArgumentException">The entries leave a gap or reach into the snapshot.</exception>
    /// <exception cref="StorageFailedException">An earlier write or fsync failed; reopen the storage.</exception>
    void Append(IReadOnlyList<LogEntry> entries);

    /// <summary>
    /// Queues the hard state and the configuration as one record, so a crash keeps both or neither. A null
    /// argument keeps the value stored before. Not durable until a later <see cref="FlushAsync"/> completes.
    /// </summary>
    /// <param name="hardState">The new term, vote and commit index, or null for unchanged.</param>
    /// <param name="membership">The new configuration, or null for unchanged.</param>
    /// <exception cref="StorageFailedException">An earlier write or fsync failed; reopen the storage.</exception>
    void SaveState(HardState? hardState, Membership? membership);

    /// <summary>
    /// Completes when everything queued before the call is fsynced. Writes queued while one fsync runs are
    /// batched into the next (group commit, no fixed delay). Cancellation stops the wait, not the write.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the queued writes still go to disk.</param>
    /// <returns>A task that completes once the data is durable, or faults with the write error.</returns>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a snapshot durably (its own file: temp file, fsync, rename, fsync of the directory), then drops the
    /// log it covers. Entries after the snapshot stay only if the stored entry at the snapshot's index has the
    /// snapshot's term (Raft's rule for installing a snapshot); otherwise the whole stored log is dropped. Queued
    /// writes are flushed too. Log segments the snapshot makes useless are deleted before the task completes.
    /// </summary>
    /// <param name="snapshot">The snapshot; the storage keeps a reference. One at or below the stored snapshot's
    /// index is ignored.</param>
    /// <param name="cancellationToken">Stops waiting; the snapshot may still be stored.</param>
    /// <returns>A task that completes when the snapshot and the new log start are durable.</returns>
    Task SaveSnapshotAsync(RaftSnapshot snapshot, CancellationToken cancellationToken = default);
}
