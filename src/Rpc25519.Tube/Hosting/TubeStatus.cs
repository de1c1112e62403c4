using MessagePack;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Hosting;

/// <summary>What one replica reports about itself.</summary>
[MessagePackObject]
public sealed class TubeStatus
{
    /// <summary>The replica's node id.</summary>
    [Key(0)]
    public ulong NodeId { get; init; }

    /// <summary>Its role now.</summary>
    [Key(1)]
    public RaftRole Role { get; init; }

    /// <summary>Its current term.</summary>
    [Key(2)]
    public long Term { get; init; }

    /// <summary>The leader it follows (0 when none).</summary>
    [Key(3)]
    public ulong LeaderId { get; init; }

    /// <summary>The leader's client address, when known.</summary>
    [Key(4)]
    public string? LeaderAddress { get; init; }

    /// <summary>The index of its last log entry.</summary>
    [Key(5)]
    public long LastIndex { get; init; }

    /// <summary>Its commit index.</summary>
    [Key(6)]
    public long CommitIndex { get; init; }

    /// <summary>The index its state machines have applied.</summary>
    [Key(7)]
    public long AppliedIndex { get; init; }

    /// <summary>The compaction base: the index of its latest snapshot.</summary>
    [Key(8)]
    public long SnapshotIndex { get; init; }

    /// <summary>The voters of its configuration.</summary>
    [Key(9)]
    public ulong[] Voters { get; init; } = [];

    /// <summary>The shadows (non-voting members) of its configuration.</summary>
    [Key(10)]
    public ulong[] Shadows { get; init; } = [];

    /// <summary>The configuration's (term, version) stamp.</summary>
    [Key(11)]
    public long MembershipVersion { get; init; }

    /// <summary>The operating-system process id of the process that hosts the replica (0 from an older
    /// replica).</summary>
    [Key(12)]
    public int ProcessId { get; init; }

    /// <summary>The name of the machine that hosts the replica (null from an older replica).</summary>
    [Key(13)]
    public string? HostName { get; init; }

    /// <summary>The address the replica knows for each voter and then each shadow, in the order of
    /// <see cref="Voters"/> followed by <see cref="Shadows"/>; null where it knows none (empty from an older
    /// replica). It lets a client reach members that joined after it was configured.</summary>
    [Key(14)]
    public string?[] MemberAddresses { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString() =>
        $"node {NodeId} {Role} term {Term} leader {LeaderId} last {LastIndex} commit {CommitIndex} applied " +
        $"{AppliedIndex} snapshot {SnapshotIndex} voters [{string.Join(",", Voters)}] shadows [{string.Join(",", Shadows)}]";
}
