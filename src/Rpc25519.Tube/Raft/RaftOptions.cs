namespace Rpc25519.Tube.Raft;

/// <summary>
/// Settings of one <see cref="RaftNode"/>. Validated once by <see cref="Validate"/> when the node is built; the node
/// keeps the instance, so do not change it afterwards. Not thread-safe (plain settable properties).
/// </summary>
public sealed class RaftOptions
{
    /// <summary>This node's id. Required; 0 is reserved for "nobody".</summary>
    public ulong NodeId { get; set; }

    /// <summary>
    /// The seeded random source for election jitter. Required: the core has no randomness of its own, so the same
    /// seed and the same inputs give the same outputs. The node owns it afterwards.
    /// </summary>
    public Random? Random { get; set; }

    /// <summary>
    /// Ticks between leader heartbeats. Default 1. Must be below <see cref="ElectionTimeoutTicks"/>.
    /// </summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>
    /// The minimum election timeout in ticks (E). Default 10. A follower campaigns after a random timeout in
    /// [E, E + max(1, voters - 2) * E) without hearing a leader (wider spread for big clusters, as Tube does); it
    /// refuses votes for E ticks after last hearing one (sticky leader); a leader steps down if it has not heard a
    /// quorum within E ticks (check-quorum); and a restarted node refuses votes for its first E ticks.
    /// </summary>
    public int ElectionTimeoutTicks { get; set; } = 10;

    /// <summary>
    /// The clock-drift bound in ticks for lease reads: a leader serves lease reads only until
    /// (tick of the oldest heartbeat acknowledged by a quorum) + E - this value. Default 2. Must be in [0, E).
    /// Lease reads are only as safe as this bound: if tick rates differ by more, use <see cref="RaftNode.ReadIndex"/>.
    /// </summary>
    public int LeaseDriftTicks { get; set; } = 2;

    /// <summary>
    /// The host's tick clock: how many ticks the host's timer has counted since this <see cref="RaftNode"/> object was
    /// created, whether or not they have been delivered with <see cref="RaftNode.Tick"/> yet (a process that was paused
    /// counts the paused time here at once, and delivers the missed ticks afterwards). Default null.
    /// <para>Lease reads need it: the leader serves a lease read only while this clock is not ahead of the ticks it
    /// was given, so a host that hands a read (or a forwarded read in a message) to a node before replaying the ticks
    /// it owes gets a quorum round instead of a stale answer. Without a clock, <see cref="RaftNode.LeaseRead"/>
    /// behaves like <see cref="RaftNode.ReadIndex"/>.</para>
    /// </summary>
    public Func<long>? HostClock { get; set; }

    /// <summary>Entries per append message. Default 256. Bounds message size together with the host's entry
    /// size.</summary>
    public int EntriesPerMessageMax { get; set; } = 256;

    /// <summary>Entry bytes per append message. Default 16 MiB. An append stops before the entry that would pass
    /// it (it always carries at least one), so that a follower far behind on large entries is sent messages that fit
    /// the transport's frame. The Tube host lowers it to half of <c>RpcOptions.MaxFrameBytes</c>.</summary>
    public int EntryBytesPerMessageMax { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Append messages in flight to one follower before the leader waits for acknowledgements (the flow-control
    /// window). Default 64. Throughput per follower is about window * <see cref="EntriesPerMessageMax"/> per round
    /// trip.
    /// </summary>
    public int InflightMessagesMax { get; set; } = 64;

    /// <summary>
    /// Uncommitted entries the leader accepts before <see cref="RaftNode.Propose"/> returns
    /// <see cref="ProposeResult.Throttled"/>. Default 10,000.
    /// </summary>
    public int UncommittedEntriesMax { get; set; } = 10_000;

    /// <summary>Committed entries handed out per <see cref="Ready"/>. Default 4,096; the rest follow in later
    /// batches.</summary>
    public int CommittedEntriesPerReadyMax { get; set; } = 4_096;

    /// <summary>Bytes per snapshot chunk. Default 1 MiB. Chunks are sent one at a time, each acknowledged.</summary>
    public int SnapshotChunkBytes { get; set; } = 1 << 20;

    /// <summary>Largest snapshot a follower accepts, in bytes. Default 1 GiB.</summary>
    public long SnapshotBytesMax { get; set; } = 1L << 30;

    /// <summary>Read requests waiting for a quorum round on the leader. Default 4,096; more are refused.</summary>
    public int PendingReadsMax { get; set; } = 4_096;

    /// <summary>
    /// If true, a leader does not send an empty append to tell followers about a new commit index as soon as it has
    /// one. The index travels in the next append or heartbeat instead, or in the empty appends
    /// <see cref="RaftNode.SendCommitNotices"/> sends when the host calls it (check
    /// <see cref="RaftNode.CommitNoticesOwed"/>). Default false: the notice leaves in the next batch.
    /// <para>A commit changes nothing for a follower's safety, only how soon it applies. Under a steady stream of
    /// writes the next append comes a round trip later anyway, so the empty appends (and their acknowledgements) would
    /// double the messages of a lone writer. A host that sets this should call <see cref="RaftNode.SendCommitNotices"/>
    /// after a short delay so that an idle follower does not wait for the next heartbeat.</para>
    /// </summary>
    public bool DeferCommitNotices { get; set; }

    /// <summary>
    /// The configuration a brand-new node starts with. Default <see cref="Membership.Empty"/>: a joiner that waits
    /// to be added by a leader. Ignored when the node restarts from persisted state that holds a configuration.
    /// </summary>
    public Membership InitialMembership { get; set; } = Membership.Empty;

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the field and the fix.</summary>
    public void Validate()
    {
        Require(NodeId != 0, nameof(NodeId), "set a non-zero node id");
        Require(Random is not null, nameof(Random), "pass a seeded System.Random");
        Require(HeartbeatTicks >= 1, nameof(HeartbeatTicks), "use at least 1");
        Require(ElectionTimeoutTicks > HeartbeatTicks, nameof(ElectionTimeoutTicks),
            "make it larger than HeartbeatTicks");
        Require(LeaseDriftTicks >= 0 && LeaseDriftTicks < ElectionTimeoutTicks, nameof(LeaseDriftTicks),
            "use a value in [0, ElectionTimeoutTicks)");
        Require(EntriesPerMessageMax >= 1, nameof(EntriesPerMessageMax), "use at least 1");
        Require(EntryBytesPerMessageMax >= 1, nameof(EntryBytesPerMessageMax), "use at least 1");
        Require(InflightMessagesMax >= 1, nameof(InflightMessagesMax), "use at least 1");
        Require(UncommittedEntriesMax >= 1, nameof(UncommittedEntriesMax), "use at least 1");
        Require(CommittedEntriesPerReadyMax >= 1, nameof(CommittedEntriesPerReadyMax), "use at least 1");
        Require(SnapshotChunkBytes >= 1, nameof(SnapshotChunkBytes), "use at least 1");
        Require(SnapshotBytesMax >= 1, nameof(SnapshotBytesMax), "use at least 1");
        Require(PendingReadsMax >= 1, nameof(PendingReadsMax), "use at least 1");
        Require(InitialMembership is not null, nameof(InitialMembership), "use Membership.Empty for a joiner");
    }

    private static void Require(bool condition, string field, string fix)
    {
        if (!condition)
        {
            throw new ArgumentException($"RaftOptions.{field} is invalid: {fix}.", field);
        }
    }
}
