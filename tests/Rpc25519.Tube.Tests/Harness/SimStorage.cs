using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>A node's "disk": what it persisted from Ready batches. Survives crashes; nothing else does.</summary>
internal sealed class SimStorage
{
    private readonly List<LogEntry> entries = [];

    public HardState HardState { get; private set; }

    public Membership Membership { get; private set; } = Membership.Empty;

    public RaftSnapshot? Snapshot { get; private set; }

    public long SnapshotIndex => Snapshot?.Index ?? 0;

    public long LastIndex => SnapshotIndex + entries.Count;

    public IReadOnlyList<LogEntry> Entries => entries;

    public long? TermAt(long index)
    {
        if (index == SnapshotIndex)
        {
            return Snapshot?.Term ?? 0;
        }

        if (index < SnapshotIndex || index > LastIndex)
        {
            return null;
        }

        return entries[(int)(index - SnapshotIndex - 1)].Term;
    }

    /// <summary>Persists the durable parts of a Ready in the contract's order.</summary>
    public void Persist(Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
        {
            Snapshot = snapshot;
            entries.Clear();
        }

        if (ready.Entries.Count > 0)
        {
            long first = ready.Entries[0].Index;
            if (first <= SnapshotIndex || first > LastIndex + 1)
            {
                throw new InvalidOperationException(
                    $"Ready entries start at {first}, storage has {SnapshotIndex}..{LastIndex}.");
            }

            entries.RemoveRange((int)(first - SnapshotIndex - 1), (int)(LastIndex - first + 1));
            entries.AddRange(ready.Entries);
        }

        if (ready.HardState is { } hard)
        {
            HardState = hard;
        }

        if (ready.Membership is { } membership)
        {
            Membership = membership;
        }
    }

    /// <summary>The host's side of compaction: keep the snapshot, drop the entries it covers.</summary>
    public void Compact(RaftSnapshot snapshot)
    {
        int drop = (int)Math.Min(entries.Count, snapshot.Index - SnapshotIndex);
        entries.RemoveRange(0, drop);
        Snapshot = snapshot;
    }

    public RaftPersistentState Load() => new()
    {
        HardState = HardState, Membership = Membership, Snapshot = Snapshot, Entries = entries.ToArray(),
    };
}
