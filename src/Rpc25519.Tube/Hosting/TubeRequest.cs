using MessagePack;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Hosting;

/// <summary>A client request to a replica (the payload of a <see cref="TubeServiceNames.Client"/> call).</summary>
[MessagePackObject]
internal sealed class TubeRequest
{
    [Key(0)]
    public TubeRequestKind Kind { get; init; }

    /// <summary>Submit: a serialized <see cref="StateMachines.TubeCommand"/>.</summary>
    [Key(1)]
    public byte[]? Command { get; init; }

    /// <summary>Read: the machine to ask.</summary>
    [Key(2)]
    public string? Machine { get; init; }

    /// <summary>Read: the machine-specific query.</summary>
    [Key(3)]
    public byte[]? Query { get; init; }

    /// <summary>Read: how fresh the answer must be.</summary>
    [Key(4)]
    public ReadMode ReadMode { get; init; }

    /// <summary>Membership: the change.</summary>
    [Key(5)]
    public MembershipChangeKind MembershipChange { get; init; }

    /// <summary>Membership and transfer: the node concerned.</summary>
    [Key(6)]
    public ulong NodeId { get; init; }

    /// <summary>Membership: the new member's address, added to this replica's address book when given.</summary>
    [Key(7)]
    public string? Address { get; init; }

    /// <summary>Watch: the table.</summary>
    [Key(8)]
    public string? Table { get; init; }

    /// <summary>Watch: the key, or the key prefix when <see cref="Prefix"/>.</summary>
    [Key(9)]
    public byte[]? Key { get; init; }

    /// <summary>Watch: <see cref="Key"/> is a prefix.</summary>
    [Key(10)]
    public bool Prefix { get; init; }

    /// <summary>Watch: the first log index of interest.</summary>
    [Key(11)]
    public long FromIndex { get; init; }

    /// <summary>Watch: how long the replica may hold the call when there is nothing to report (milliseconds;
    /// clamped to <see cref="TubeReplicaOptions.WatchMaxWait"/>).</summary>
    [Key(12)]
    public long WaitMs { get; init; }

    /// <summary>ForceMembership: the voters to install.</summary>
    [Key(13)]
    public ulong[]? Voters { get; init; }

    /// <summary>ForceMembership: the shadows to install.</summary>
    [Key(14)]
    public ulong[]? Shadows { get; init; }

    /// <summary>AwaitReply: the session whose reply is wanted.</summary>
    [Key(15)]
    public long SessionId { get; init; }

    /// <summary>AwaitReply: the serial whose reply is wanted.</summary>
    [Key(16)]
    public long Serial { get; init; }

    /// <summary>Submit: the client also waits for the reply on a follower (<see cref="TubeRequestKind.AwaitReply"/>),
    /// so the leader sends durable notices after its own write (<see cref="Raft.RaftNode.SendDurableNotices"/>).</summary>
    [Key(17)]
    public bool FollowerWaits { get; init; }

    /// <summary>Submit with <see cref="FollowerWaits"/>: the address of the member the client waits on (the leader
    /// then notifies only that one), or null for every follower.</summary>
    [Key(18)]
    public string? WaitingAt { get; init; }

    public byte[] ToBytes() => TubeSerializer.Serialize(this);

    public static TubeRequest FromBytes(ReadOnlyMemory<byte> bytes) =>
        TubeSerializer.Deserialize<TubeRequest>(bytes);
}
