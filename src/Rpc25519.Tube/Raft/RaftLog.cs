using System.Runtime.InteropServices;

namespace Rpc25519.Tube.Raft;

/// <summary>
/// The in-memory log of one node: a snapshot base (index and term) followed by contiguous entries, plus the
/// bookkeeping of what the host has persisted and applied. Not thread-safe; owned by one <see cref="RaftNode"/>.
/// </summary>
internal sealed class RaftLog
{
    /// <summary>Entries after the snapshot base: <c>entries[k]</c> has index <c>SnapshotIndex + 1 + k</c>.</summary>
    private readonly List<LogEntry> entries = [];

    /// <summary>The last index covered by the snapshot (0 when there is none).</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>The term at <see cref="SnapshotIndex"/>.</summary>
    public long SnapshotTerm { get; private set; }

    /// <summary>The newest snapshot this node has (its own compaction or one installed from the leader).</summary>
    public RaftSnapshot? Snapshot { get; private set; }

    /// <summary>The highest index known committed.</summary>
    public long Committed { get; private set; }

    /// <summary>The highest index the host has applied (confirmed by Advance).</summary>
    public long Applied { get; private set; }

    /// <summary>The highest index handed out for applying in the outstanding Ready.</summary>
    public long ApplyingTo { get; private set; }

    /// <summary>The first index not yet handed to the host for persistence.</summary>
    public long UnstableFrom { get; private set; } = 1;

    /// <summary>The highest index the host confirmed durable that is still part of this log.</summary>
    public long PersistedIndex { get; private set; }

    /// <summary>The highest index handed out for persistence in the outstanding Ready (still part of this
    /// log).</summary>
    public long HandedOutTo { get; private set; }

    /// <summary>The index of the last entry (the snapshot index if there are no entries).</summary>
    public long LastIndex => SnapshotIndex + entries.Count;

    /// <summary>The term of the last entry.</summary>
    public long LastTerm => entries.Count == 0 ? SnapshotTerm : entries[^1].Term;

    /// <summary>Loads persisted state at construction.</summary>
    public void Load(RaftSnapshot? snapshot, IReadOnlyList<LogEntry> persisted, long commit)
    {
        if (snapshot is not null)
        {
            Snapshot = snapshot;
            SnapshotIndex = snapshot.Index;
            SnapshotTerm = snapshot.Term;
        }

        foreach (var entry in persisted)
        {
            if (entry.Index <= SnapshotIndex)
            {
                continue;
            }

            Append(entry);
        }

        Committed = Math.Clamp(commit, SnapshotIndex, LastIndex);
        Applied = ApplyingTo = SnapshotIndex;
        PersistedIndex = HandedOutTo = LastIndex;
        UnstableFrom = LastIndex + 1;
    }

    /// <summary>The term at <paramref name="index"/>, or null if it is compacted away or beyond the end.</summary>
    public long? TryTerm(long index)
    {
        if (index == SnapshotIndex)
        {
            return SnapshotTerm;
        }

        if (index < SnapshotIndex || index > LastIndex)
        {
            return null;
        }

        return entries[(int)(index - SnapshotIndex - 1)].Term;
    }

    /// <summary>The term at <paramref name="index"/>; throws if unavailable.</summary>
    public long Term(long index) =>
        TryTerm(index)
        ?? throw new RaftInvariantException($"No term for index {index} (log {SnapshotIndex}..{LastIndex}).");

    /// <summary>True if the log holds an entry (or the snapshot base) at index with that term.</summary>
    public bool MatchTerm(long index, long term) => TryTerm(index) == term;

    /// <summary>The entry at <paramref name="index"/>, which must be after the snapshot and not beyond the
    /// end.</summary>
    public LogEntry At(long index) => entries[(int)(index - SnapshotIndex - 1)];

    /// <summary>Raft's "at least as up to date" comparison of a candidate's last entry with ours.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Appends one entry at the end.</summary>
    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1 || entry.Term < LastTerm)
        {
            throw new RaftInvariantException($"Append of {entry} does not follow {LastIndex}@{LastTerm}.");
        }

        entries.Add(entry);
    }

    /// <summary>
    /// Merges entries received after a matching (prevIndex, prevTerm): skips those already present, truncates at the
    /// first conflict and appends the rest. Returns the index of the last entry of the message.
    /// </summary>
    public long AppendFromLeader(long prevIndex, IReadOnlyList<LogEntry> received)
    {
        for (int k = 0; k < received.Count; k++)
        {
            var entry = received[k];
            long? existing = TryTerm(entry.Index);
            if (existing == entry.Term || entry.Index <= SnapshotIndex)
            {
                continue;
            }

            if (existing is not null)
            {
                TruncateFrom(entry.Index);
            }

            for (int j = k; j < received.Count; j++)
            {
                Append(received[j]);
            }

            break;
        }

        return prevIndex + received.Count;
    }

    /// <summary>The largest index at or below <paramref name="index"/> whose term is at most
    /// <paramref name="term"/>.</summary>
    public long FindConflictByTerm(long index, long term)
    {
        long i = Math.Min(index, LastIndex);
        while (i > SnapshotIndex && Term(i) > term)
        {
            i--;
        }

        return i;
    }

    /// <summary>Up to <paramref name="countMax"/> entries starting at <paramref name="from"/> (after the
    /// snapshot), and no more than fit in <paramref name="bytesMax"/> (but always the first one).</summary>
    public LogEntry[] Slice(long from, int countMax, long bytesMax = long.MaxValue)
    {
        long count = Math.Min(countMax, LastIndex - from + 1);
        if (count <= 0)
        {
            return [];
        }

        var span = CollectionsMarshal.AsSpan(entries).Slice((int)(from - SnapshotIndex - 1), (int)count);
        int taken = 1;
        for (long bytes = EncodedBytes(span[0]); taken < span.Length; taken++)
        {
            bytes += EncodedBytes(span[taken]);
            if (bytes > bytesMax)
            {
                break;
            }
        }

        return span[..taken].ToArray();
    }

    /// <summary>An entry's data plus room for its term, index and kind on the wire.</summary>
    private static long EncodedBytes(LogEntry entry) => entry.Data.Length + 32L;

    /// <summary>Moves the commit index forward (never backward, never past the end).</summary>
    public void CommitTo(long index)
    {
        if (index <= Committed)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new RaftInvariantException($"Commit {index} is beyond the last index {LastIndex}.");
        }

        Committed = index;
    }

    /// <summary>Entries not yet handed out for persistence; marks them handed out.</summary>
    public IReadOnlyList<LogEntry> TakeUnstable()
    {
        if (UnstableFrom > LastIndex)
        {
            return [];
        }

        var slice = entries.GetRange((int)(UnstableFrom - SnapshotIndex - 1), (int)(LastIndex - UnstableFrom + 1));
        HandedOutTo = LastIndex;
        UnstableFrom = LastIndex + 1;
        return slice;
    }

    /// <summary>Committed entries not yet handed out for applying (at most <paramref name="countMax"/>).</summary>
    public IReadOnlyList<LogEntry> TakeCommitted(int countMax)
    {
        long to = Math.Min(Committed, ApplyingTo + countMax);
        if (to <= ApplyingTo)
        {
            return [];
        }

        var slice = Slice(ApplyingTo + 1, (int)(to - ApplyingTo));
        ApplyingTo = to;
        return slice;
    }

    /// <summary>True if committed entries wait to be handed out.</summary>
    public bool HasCommittedToApply => Committed > ApplyingTo;

    /// <summary>True if entries wait to be handed out for persistence.</summary>
    public bool HasUnstable => UnstableFrom <= LastIndex;

    /// <summary>The host finished the outstanding Ready: what was handed out is durable and applied.</summary>
    public void Advance()
    {
        PersistedIndex = Math.Max(PersistedIndex, HandedOutTo);
        Applied = ApplyingTo;
    }

    /// <summary>Drops entries up to the snapshot index in favour of a snapshot made by the host.</summary>
    public void Compact(RaftSnapshot snapshot)
    {
        if (snapshot.Index <= SnapshotIndex || snapshot.Index > Applied || snapshot.Term != Term(snapshot.Index))
        {
            throw new ArgumentOutOfRangeException(nameof(snapshot), snapshot.Index,
                $"Compaction must cover ({SnapshotIndex}, {Applied}] with the matching term.");
        }

        entries.RemoveRange(0, (int)(snapshot.Index - SnapshotIndex));
        SnapshotIndex = snapshot.Index;
        SnapshotTerm = snapshot.Term;
        Snapshot = snapshot;
    }

    /// <summary>Replaces the whole log with a snapshot received from the leader.</summary>
    public void Restore(RaftSnapshot snapshot)
    {
        if (snapshot.Index <= Committed)
        {
            throw new RaftInvariantException($"Restore of snapshot {snapshot.Index} at or below commit {Committed}.");
        }

        entries.Clear();
        Snapshot = snapshot;
        SnapshotIndex = snapshot.Index;
        SnapshotTerm = snapshot.Term;
        Committed = Applied = ApplyingTo = snapshot.Index;
        PersistedIndex = HandedOutTo = snapshot.Index;
        UnstableFrom = snapshot.Index + 1;
    }

    private void TruncateFrom(long index)
    {
        if (index <= Committed)
        {
            throw new RaftInvariantException(
                $"Truncation at {index} would remove committed entries (commit {Committed}).");
        }

        entries.RemoveRange((int)(index - SnapshotIndex - 1), (int)(LastIndex - index + 1));
        UnstableFrom = Math.Min(UnstableFrom, index);
        PersistedIndex = Math.Min(PersistedIndex, index - 1);
        HandedOutTo = Math.Min(HandedOutTo, index - 1);
    }
}
