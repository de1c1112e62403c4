namespace Rpc25519.Tube.Raft;

/// <summary>
/// One batch of work for the host, returned by <see cref="RaftNode.GetReady"/>. Act on it in this order:
/// 1. persist <see cref="Snapshot"/> (if any, replacing the log it covers), then <see cref="Entries"/> (first
///    truncating the stored log from the first entry's index), then <see cref="HardState"/> and
///    <see cref="Membership"/> if set — all durably;
/// 2. send <see cref="Messages"/> (never before step 1 is durable);
/// 3. install <see cref="Snapshot"/> into the state machine, then apply <see cref="CommittedEntries"/> in order;
/// 4. answer <see cref="ReadStates"/> once the state machine has applied their index;
/// 5. call <see cref="RaftNode.Advance"/> with this instance.
/// The lists belong to the host after <see cref="RaftNode.GetReady"/>; the entries inside are shared and immutable.
/// Not thread-safe: one host loop handles a batch.
/// </summary>
public sealed class Ready
{
    internal Ready(
        HardState? hardState,
        Membership? membership,
        RaftSnapshot? snapshot,
        IReadOnlyList<LogEntry> entries,
        IReadOnlyList<RaftMessage> messages,
        IReadOnlyList<LogEntry> committedEntries,
        IReadOnlyList<ReadState> readStates,
        bool mustSync,
        bool messagesMayPrecedePersist)
    {
        HardState = hardState;
        MustSync = mustSync;
        MessagesMayPrecedePersist = messagesMayPrecedePersist;
        Membership = membership;
        Snapshot = snapshot;
        Entries = entries;
        Messages = messages;
        CommittedEntries = committedEntries;
        ReadStates = readStates;
    }

    /// <summary>The hard state to persist, or null if unchanged since the last batch.</summary>
    public HardState? HardState { get; }

    /// <summary>
    /// True if step 1 must be durable (fsynced) before the messages go out: the batch carries entries, a snapshot, a
    /// configuration, or a new term or vote. False when only the commit index moved: Raft does not need the commit
    /// index on disk (a restarted node learns it again from the leader), so the host may write the hard state without
    /// waiting for a sync, and it reaches the disk with the next synced batch.
    /// </summary>
    public bool MustSync { get; }

    /// <summary>
    /// True if the host may send <see cref="Messages"/> before step 1 is durable, and persist while they travel: the
    /// node is a leader whose term and vote did not change, the batch installs no snapshot and changes no
    /// configuration, and every message is leader traffic that promises nothing about this node's disk (append,
    /// heartbeat, snapshot chunk, read-index answer, timeout-now). The followers then write the new entries at the
    /// same time as the leader (Raft dissertation §10.2.1); the leader still counts its own copy toward the commit
    /// index only after <see cref="RaftNode.Advance"/>, so nothing commits on a write that is not on disk.
    /// </summary>
    public bool MessagesMayPrecedePersist { get; }

    /// <summary>The configuration to persist, or null if unchanged since the last batch.</summary>
    public Membership? Membership { get; }

    /// <summary>A snapshot received from the leader to persist and install, or null.</summary>
    public RaftSnapshot? Snapshot { get; }

    /// <summary>Entries to persist; the stored log is truncated from <c>Entries[0].Index</c> before
    /// appending.</summary>
    public IReadOnlyList<LogEntry> Entries { get; }

    /// <summary>Messages to send after everything above is durable. Delivery may be lossy, late or
    /// duplicated.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; }

    /// <summary>Committed entries to apply, in index order, with no gaps from the last batch.</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; }

    /// <summary>Reads that became safe; serve each after applying up to its index.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; }
}
