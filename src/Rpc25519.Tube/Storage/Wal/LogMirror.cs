using System.Diagnostics;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// The storage's view of what it holds: snapshot point, live entries after it, hard state, configuration. Replay
/// rebuilds it record by record; live writes update it as they are queued, so a checkpoint can be written from it.
/// Holds references to the immutable entries the host already has, so it costs no copy of the data.
/// Not thread-safe: the storage's lock guards it.
/// </summary>
internal sealed class LogMirror
{
    private readonly List<LogEntry> entries = [];

    public long SnapshotIndex { get; private set; }

    public long SnapshotTerm { get; private set; }

    public RaftSnapshot? Snapshot { get; set; }

    /// <summary>The BLAKE3 hash the snapshot file stores for <see cref="Snapshot"/> (zeros before any snapshot). A
    /// checkpoint records it, so that recovery can tell its own snapshot file from another directory's.</summary>
    public byte[] SnapshotHash { get; set; } = new byte[WalRecord.ChainBytes];

    public HardState HardState { get; private set; }

    public Membership Membership { get; private set; } = Membership.Empty;

    public IReadOnlyList<LogEntry> Entries => entries;

    public long LastIndex => SnapshotIndex + entries.Count;

    /// <summary>Appends entries after discarding the stored suffix from the first one's index.</summary>
    /// <exception cref="ArgumentException">The entries leave a gap, reach into the snapshot, or are not
    /// contiguous.</exception>
    public void Append(IReadOnlyList<LogEntry> list)
    {
        if (list.Count == 0)
        {
            return;
        }

        long first = list[0].Index;
        if (first <= SnapshotIndex || first > LastIndex + 1)
        {
            throw new ArgumentException($"Entries starting at index {first} do not fit a log holding " +
                $"({SnapshotIndex}, {LastIndex}]: they must start after the snapshot and at most one past the end.",
                nameof(list));
        }

        for (int i = 1; i < list.Count; i++)
        {
            if (list[i].Index != first + i)
            {
                throw new ArgumentException($"Entry {list[i].Index} follows {list[i - 1].Index}: entries must be " +
                    "contiguous.", nameof(list));
            }
        }

        entries.RemoveRange((int)(first - SnapshotIndex - 1), (int)(LastIndex - first + 1));
        entries.AddRange(list);
        AssertInvariants();
    }

    public void SetState(HardState? hardState, Membership? membership)
    {
        HardState = hardState ?? HardState;
        Membership = membership ?? Membership;
    }

    /// <summary>Raft's snapshot rule: keep the entries after <paramref name="index"/> only if the stored entry
    /// there has <paramref name="term"/>; otherwise drop the whole log. A point at or before the current one does
    /// nothing.</summary>
    public void ApplySnapshotPoint(long index, long term)
    {
        if (index <= SnapshotIndex)
        {
            return;
        }

        if (index <= LastIndex && entries[(int)(index - SnapshotIndex - 1)].Term == term)
        {
            entries.RemoveRange(0, (int)(index - SnapshotIndex));
        }
        else
        {
            entries.Clear();
        }

        SnapshotIndex = index;
        SnapshotTerm = term;
        AssertInvariants();
    }

    /// <summary>Replaces everything with a checkpoint's contents.</summary>
    public void Reset(long snapshotIndex, long snapshotTerm, byte[] snapshotHash, HardState hardState,
        Membership membership, IReadOnlyList<LogEntry> live)
    {
        SnapshotIndex = snapshotIndex;
        SnapshotTerm = snapshotTerm;
        SnapshotHash = snapshotHash;
        HardState = hardState;
        Membership = membership;
        entries.Clear();
        Append(live);
    }

    /// <summary>The live entries are exactly (<see cref="SnapshotIndex"/>, <see cref="LastIndex"/>].</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(entries.Count == 0 || entries[0].Index == SnapshotIndex + 1, "live log starts after snapshot");
        Debug.Assert(entries.Count == 0 || entries[^1].Index == LastIndex, "live log has no gaps");
    }

    public RaftPersistentState ToPersistentState() => new()
    {
        HardState = HardState, Membership = Membership, Snapshot = Snapshot, Entries = entries.ToArray(),
    };
}
