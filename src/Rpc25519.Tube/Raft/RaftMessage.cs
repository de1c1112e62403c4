namespace Rpc25519.Tube.Raft;

/// <summary>
/// A message between Raft nodes. Immutable once built (init-only properties), so the host may deliver the same
/// instance more than once or to a simulator that duplicates it. Entry and chunk buffers are shared, never copied,
/// and must not be changed by anyone. The transport encodes it however it likes; the core never serializes.
/// </summary>
public sealed record RaftMessage
{
    /// <summary>The kind of message.</summary>
    public RaftMessageType Type { get; init; }

    /// <summary>The sending node.</summary>
    public ulong From { get; init; }

    /// <summary>The receiving node.</summary>
    public ulong To { get; init; }

    /// <summary>The sender's term (for <see cref="RaftMessageType.PreVote"/>, the term it would campaign at).</summary>
    public long Term { get; init; }

    /// <summary>Append: the index before the entries. Votes: the candidate's last index. Responses: see type
    /// docs.</summary>
    public long LogIndex { get; init; }

    /// <summary>The term at <see cref="LogIndex"/> (for rejections, the term at <see cref="RejectHint"/>).</summary>
    public long LogTerm { get; init; }

    /// <summary>The entries of an append, in index order. Shared, read-only.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];

    /// <summary>The sender's commit index (heartbeats carry at most the receiver's match index).</summary>
    public long Commit { get; init; }

    /// <summary>
    /// Durable notices (empty appends from <see cref="RaftNode.SendDurableNotices"/>): an index that a quorum of
    /// voters less one, not counting the receiver, holds durably (and identical to the leader's log); 0 in every other
    /// message. A voter whose own durable log matches the leader's that far knows the entries up to it are stored on a
    /// quorum, and commits those of the current term without waiting for the leader's commit index.
    /// </summary>
    public long PeersDurable { get; init; }

    /// <summary>A durable notice: an empty append sent only to carry <see cref="PeersDurable"/>; the receiver answers
    /// it only if it refuses it.</summary>
    public bool Quiet { get; init; }

    /// <summary>True if a vote or append was refused.</summary>
    public bool Reject { get; init; }

    /// <summary>For a refused append, the follower's guess of the last index that may match the leader.</summary>
    public long RejectHint { get; init; }

    /// <summary>The sender's configuration: the leader's full one, or the follower's current one in
    /// responses.</summary>
    public Membership? Membership { get; init; }

    /// <summary>Heartbeats: the read round. Read-index messages: the requester's request id.</summary>
    public ulong Context { get; init; }

    /// <summary>Heartbeats and their responses: the leader's tick counter when the heartbeat was sent (lease
    /// reads).</summary>
    public long LeaderTick { get; init; }

    /// <summary>
    /// Heartbeats: the last index the leader had sent to this follower before the heartbeat; the answer echoes it.
    /// If the follower's log ends before it, those appends were lost and the leader resends at once.
    /// </summary>
    public long SentThrough { get; init; }

    /// <summary>Vote requests caused by a leadership transfer; they bypass the sticky-leader rule.</summary>
    public bool Transfer { get; init; }

    /// <summary>Read-index requests: ask for a lease read rather than a quorum round.</summary>
    public bool Lease { get; init; }

    /// <summary>Snapshot chunks: the snapshot's last index.</summary>
    public long SnapshotIndex { get; init; }

    /// <summary>Snapshot chunks: the term of the entry at <see cref="SnapshotIndex"/>.</summary>
    public long SnapshotTerm { get; init; }

    /// <summary>Snapshot chunks: where this chunk starts; responses: how many bytes the receiver holds.</summary>
    public long ChunkOffset { get; init; }

    /// <summary>Snapshot chunks: the whole snapshot's size in bytes.</summary>
    public long SnapshotLength { get; init; }

    /// <summary>Snapshot chunks: this chunk's bytes (shared, read-only).</summary>
    public ReadOnlyMemory<byte> ChunkData { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Type} {From}->{To} t{Term} i{LogIndex}/t{LogTerm} n{Entries.Count} c{Commit}{(Reject ? " REJ" : "")}";
}
