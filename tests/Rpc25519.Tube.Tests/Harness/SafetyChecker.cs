using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// Raft's safety properties, checked from outside the code under test on every step of a simulation:
/// election safety, log matching, leader completeness, state machine safety, durable votes. Throws
/// <see cref="SafetyViolationException"/> on the first violation.
/// </summary>
internal sealed class SafetyChecker
{
    /// <summary>The leader seen for each term.</summary>
    private readonly Dictionary<long, ulong> leaderOfTerm = [];

    /// <summary>Every (index, term) ever persisted anywhere: the entry and the term before it (log matching).</summary>
    private readonly Dictionary<(long Index, long Term), (LogEntry Entry, long PreviousTerm)> seen = [];

    /// <summary>The entry applied at each index (index - 1), by whichever node applied it first.</summary>
    private readonly List<LogEntry> applied = [];

    public IReadOnlyList<LogEntry> Applied => applied;

    /// <summary>
    /// At most one leader per term; a new leader's log holds every applied (so committed) entry; every node's
    /// entry at its commit index is the one applied there (committed entries are never replaced).
    /// </summary>
    public void CheckLeaders(IEnumerable<SimNode> nodes)
    {
        foreach (var host in nodes)
        {
            var node = host.Node;
            if (!host.Alive)
            {
                continue;
            }

            CheckCommitted(node);
            if (node.Role != RaftRole.Leader)
            {
                continue;
            }

            if (leaderOfTerm.TryGetValue(node.Term, out ulong other))
            {
                Require(other == node.Id, $"two leaders in term {node.Term}: {other} and {node.Id}");
                continue;
            }

            leaderOfTerm[node.Term] = node.Id;
            CheckLeaderCompleteness(node);
        }
    }

    private void CheckCommitted(RaftNode node)
    {
        long commit = node.CommitIndex;
        if (commit > node.SnapshotIndex && commit <= applied.Count)
        {
            Require(SameEntry(node.Log.At(commit), applied[(int)commit - 1]),
                $"node {node.Id} holds {node.Log.At(commit)} at its commit index where "
                + $"{applied[(int)commit - 1]} was applied");
        }
    }

    private void CheckLeaderCompleteness(RaftNode leader)
    {
        Require(leader.LastIndex >= applied.Count,
            $"leader {leader.Id} of term {leader.Term} ends at {leader.LastIndex} "
            + $"but {applied.Count} entries are committed");
        for (long index = Math.Max(1, leader.SnapshotIndex + 1); index <= applied.Count; index++)
        {
            var entry = leader.Log.At(index);
            Require(SameEntry(entry, applied[(int)index - 1]),
                $"leader {leader.Id} of term {leader.Term} lacks committed entry {applied[(int)index - 1]} "
                + $"(has {entry})");
        }

        if (leader.SnapshotIndex > 0 && leader.SnapshotIndex <= applied.Count)
        {
            Require(leader.Log.SnapshotTerm == applied[(int)leader.SnapshotIndex - 1].Term,
                $"leader {leader.Id} snapshot term differs from the committed entry at {leader.SnapshotIndex}");
        }
    }

    /// <summary>Before persisting: votes and terms never go back; persisted entries obey log matching.</summary>
    public void CheckPersist(SimNode host, Ready ready)
    {
        if (ready.HardState is { } hard)
        {
            var old = host.Storage.HardState;
            Require(hard.Term >= old.Term, $"node {host.Id} term went back from {old.Term} to {hard.Term}");
            Require(hard.Term != old.Term || old.VotedFor == 0 || hard.VotedFor == old.VotedFor,
                $"node {host.Id} changed its vote in term {hard.Term} from {old.VotedFor} to {hard.VotedFor}");
        }

        if (ready.Entries.Count == 0)
        {
            return;
        }

        long previousTerm = host.Storage.TermAt(ready.Entries[0].Index - 1)
            ?? (ready.Snapshot is { } s && s.Index == ready.Entries[0].Index - 1 ? s.Term : -1);
        foreach (var entry in ready.Entries)
        {
            var key = (entry.Index, entry.Term);
            if (seen.TryGetValue(key, out var known))
            {
                Require(SameEntry(known.Entry, entry), $"two different entries at {key}");
                Require(previousTerm < 0 || known.PreviousTerm < 0 || known.PreviousTerm == previousTerm,
                    $"log matching: entry {key} follows term {previousTerm} on node {host.Id} "
                    + $"but {known.PreviousTerm} elsewhere");
            }
            else
            {
                seen[key] = (entry, previousTerm);
            }

            previousTerm = entry.Term;
        }
    }

    /// <summary>State machine safety: every node applies the same entry at each index, in order without gaps.</summary>
    public void CheckApply(SimNode host, LogEntry entry)
    {
        Require(entry.Index == host.Applied + 1, $"node {host.Id} applies {entry.Index} after {host.Applied}");
        if (entry.Index <= applied.Count)
        {
            Require(SameEntry(applied[(int)entry.Index - 1], entry),
                $"node {host.Id} applies {entry} where {applied[(int)entry.Index - 1]} was applied");
        }
        else
        {
            applied.Add(entry);
        }
    }

    /// <summary>An installed snapshot must end on a committed entry.</summary>
    public void CheckSnapshot(SimNode host, RaftSnapshot snapshot)
    {
        Require(snapshot.Index <= applied.Count, $"node {host.Id} installs snapshot {snapshot.Index} beyond commit");
        Require(applied[(int)snapshot.Index - 1].Term == snapshot.Term, $"node {host.Id} snapshot term mismatch");
    }

    private static bool SameEntry(LogEntry a, LogEntry b) =>
        ReferenceEquals(a, b)
        || (a.Index == b.Index && a.Term == b.Term && a.Kind == b.Kind && a.Data.Span.SequenceEqual(b.Data.Span));

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new SafetyViolationException(what);
        }
    }
}
