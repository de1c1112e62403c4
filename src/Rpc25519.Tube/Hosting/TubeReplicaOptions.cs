using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Hosting;

/// <summary>Settings of one <see cref="TubeReplica"/>.</summary>
public sealed class TubeReplicaOptions
{
    /// <summary>This replica's node id (not 0); must appear in <see cref="Members"/>.</summary>
    public ulong NodeId { get; set; }

    /// <summary>The address book: every member's node id and Rpc25519 address (<c>host:port</c>), this replica's
    /// included. Replicas dial each other and clients dial replicas at these addresses. List future members too:
    /// a replica can only send to ids it finds here.</summary>
    public IDictionary<ulong, string> Members { get; set; } = new SortedDictionary<ulong, string>();

    /// <summary>The voters of a brand-new cluster (ignored once storage holds a configuration). Empty: every id in
    /// <see cref="Members"/>.</summary>
    public IList<ulong> InitialVoters { get; set; } = [];

    /// <summary>The Rpc25519 settings: transport (TLS by default), keys, and the clock, randomness, scheduler and
    /// logging the replica uses. <see cref="RpcOptions.ListenAddress"/> defaults to this node's address in
    /// <see cref="Members"/>. Under SimNet, pass <c>SimNetwork.CreateOptions(node)</c>.</summary>
    public RpcOptions Rpc { get; set; } = new();

    /// <summary>Durable storage, opened by the caller; the replica writes through it and disposes it on stop.</summary>
    public IRaftStorage? Storage { get; set; }

    /// <summary>Makes the replicated state (sessions, KV, user machines). Called at start; register the same
    /// machines on every replica. Default: <see cref="StateMachineSet.WithKv"/>.</summary>
    public Func<StateMachineSet> CreateStateMachines { get; set; } = () => StateMachineSet.WithKv();

    /// <summary>Length of one Raft tick. Heartbeats go every <see cref="HeartbeatTicks"/> ticks.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Ticks between heartbeats.</summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>Minimum election timeout in ticks (E); also the leader's lease length.</summary>
    public int ElectionTimeoutTicks { get; set; } = 10;

    /// <summary>Ticks subtracted from a lease for clock-rate drift.</summary>
    public int LeaseDriftTicks { get; set; } = 2;

    /// <summary>The shortest <see cref="ReplicaKey"/> accepted.</summary>
    public const int MinReplicaKeyBytes = 32;

    /// <summary>
    /// How long a leader waits before it sends an empty append only to tell followers a new commit index. Default
    /// 2 ms. A write that follows within this time carries the index in its own append, so a steady writer does not
    /// pay two extra messages (and their acknowledgements) per write; an idle follower learns of the commit (and
    /// applies it, and serves stale reads and watches that need it) at most about this much later. Zero sends the
    /// notice at once, as plain Raft does. Linearizable and lease reads are not delayed either way: a quorum round
    /// carries the commit index, and a lease read answered for a follower sends the owed notice first.
    /// </summary>
    public TimeSpan CommitNoticeDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// A secret the replicas share (at least 32 bytes; the same on every replica), or null (the default). With a key,
    /// every Raft message carries a MAC of its bytes under it (keyed BLAKE3), and a replica drops (and logs, event 723) a
    /// message whose tag does not verify: a client that holds a certificate of the cluster, and so may connect and
    /// send to <c>tube.raft</c>, cannot forge replica traffic. Without one, any connection that passes the server's
    /// TLS checks may send Raft messages, which Raft trusts (docs/tube-service.md, "Who may send Raft messages").
    /// Replicas with different keys (or one with and one without) drop each other's messages and elect no leader.
    /// </summary>
    public byte[]? ReplicaKey { get; set; }

    /// <summary>An idle leader proposes a <see cref="TubeCommand.Tick"/> this often so log time (sessions, leases)
    /// keeps moving.</summary>
    public TimeSpan IdleTickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Take a snapshot and compact the log once this many entries were applied since the last one
    /// (0: never).</summary>
    public long SnapshotEveryEntries { get; set; } = 10_000;

    /// <summary>Also take a snapshot and compact the log once the applied entries since the last snapshot hold this
    /// many bytes of commands, and at least as many bytes as that snapshot (0, the default: no byte threshold). The
    /// second condition keeps a large state from being written out more often than its own size in log: writing
    /// snapshots then costs at most as many bytes as the log itself, and the log on disk stays below the threshold
    /// or the snapshot's size, whichever is larger. The <c>tube</c> tool sets it from the config's
    /// <c>CompactionThresholdBytes</c>.</summary>
    public long SnapshotEveryBytes { get; set; }

    /// <summary>A read that no ReadIndex answer has served within this time fails with "no quorum".</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many linearizable and lease reads this replica holds at once while they wait for a read index
    /// (from the leader's quorum round, or forwarded to the leader) or for this replica to apply up to it. Beyond, a
    /// read is refused at once as unavailable (<see cref="StateMachines.Errors.TubeErrorCode.Unavailable"/>), so the
    /// client tries another member and throws <see cref="Client.TubeUnavailableException"/> when every member is
    /// full. Each held read ends by <see cref="ReadTimeout"/>. Default 4096.</summary>
    public int MaxHeldReads { get; set; } = 4096;

    /// <summary>A watch answer holds at most this many changes (the changes of one log index are never split, so a
    /// single index with more changes is sent whole).</summary>
    public int WatchPageMaxChanges { get; set; } = 256;

    /// <summary>A watch answer holds at most about this many bytes of keys and values (at least one log index's
    /// changes are always sent).</summary>
    public long WatchPageMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>How many watch calls this replica holds open at once while they wait for changes; more are refused
    /// as unavailable (<see cref="StateMachines.Errors.TubeErrorCode.Unavailable"/>), so that the client tries another
    /// member, and throws <see cref="Client.TubeUnavailableException"/> when every member is full.</summary>
    public int MaxWatchers { get; set; } = 1024;

    /// <summary>How many clients may wait on this replica at once for the reply to a write they sent the leader
    /// (<see cref="Client.TubeClientOptions.FollowerReplies"/>); beyond, a wait is answered at once without a reply
    /// and the client takes the leader's. Each wait is held at most <see cref="ReadTimeout"/>. Default 4096; 0 turns
    /// follower replies off on this replica.</summary>
    public int MaxReplyWaiters { get; set; } = 4096;

    /// <summary>The longest a watch call waits for a change before it is answered with an empty page.</summary>
    public TimeSpan WatchMaxWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Outgoing Raft messages queued per peer before the oldest are dropped (Raft resends).</summary>
    public int PeerQueueCapacity { get; set; } = 4096;

    /// <summary>Extra Raft settings applied over the defaults (node id, random, timings and membership are set by
    /// the replica), or null.</summary>
    public Action<RaftOptions>? ConfigureRaft { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and says what to do.</exception>
    public void Validate()
    {
        if (ReplicaKey is { Length: < MinReplicaKeyBytes })
        {
            throw new ArgumentException($"TubeReplicaOptions.ReplicaKey has {ReplicaKey.Length} bytes; use at least " +
                $"{MinReplicaKeyBytes} random bytes (for example: head -c 32 /dev/urandom > replica.key).");
        }

        if (NodeId == 0)
        {
            throw new ArgumentException("TubeReplicaOptions.NodeId must not be 0; give each replica its own id.");
        }

        if (!Members.ContainsKey(NodeId))
        {
            throw new ArgumentException($"TubeReplicaOptions.Members has no address for this node ({NodeId}); add it.");
        }

        if (Storage is null)
        {
            throw new ArgumentException("TubeReplicaOptions.Storage is null; open a FileRaftStorage (or SimRaftStorage " +
                "under SimNet) and pass it.");
        }

        if (TickInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("TubeReplicaOptions.TickInterval must be positive (e.g. 100 ms).");
        }

        if (MaxReplyWaiters < 0)
        {
            throw new ArgumentException("TubeReplicaOptions.MaxReplyWaiters must not be negative; use 0 to turn " +
                "follower replies off.");
        }

        if (CommitNoticeDelay < TimeSpan.Zero)
        {
            throw new ArgumentException("TubeReplicaOptions.CommitNoticeDelay must not be negative; use zero to " +
                "send commit notices at once.");
        }

        if (MaxHeldReads < 1)
        {
            throw new ArgumentException("TubeReplicaOptions.MaxHeldReads must be at least 1; keep the default (4096) " +
                "unless you need otherwise.");
        }

        if (WatchPageMaxChanges < 1 || WatchPageMaxBytes < 1 || MaxWatchers < 1 || WatchMaxWait < TimeSpan.Zero)
        {
            throw new ArgumentException("TubeReplicaOptions.WatchPageMaxChanges, WatchPageMaxBytes and MaxWatchers " +
                "must be positive and WatchMaxWait must not be negative; keep the defaults unless you need otherwise.");
        }

        if (SnapshotEveryEntries < 0 || SnapshotEveryBytes < 0)
        {
            throw new ArgumentException("TubeReplicaOptions.SnapshotEveryEntries and SnapshotEveryBytes must not be " +
                "negative; use 0 to turn a threshold off.");
        }

        if (InitialVoters.Any(v => !Members.ContainsKey(v)))
        {
            throw new ArgumentException("Every id in TubeReplicaOptions.InitialVoters needs an address in Members.");
        }
    }
}
