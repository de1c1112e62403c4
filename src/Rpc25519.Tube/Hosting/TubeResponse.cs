using MessagePack;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Hosting;

/// <summary>A replica's answer to a <see cref="TubeRequest"/>. Service-level refusals (not leader, no quorum) are in
/// <see cref="Error"/>; the state machine's own answer, errors included, is the serialized
/// <see cref="StateMachines.TubeReply"/> in <see cref="Reply"/>.</summary>
[MessagePackObject]
internal sealed class TubeResponse
{
    [Key(0)]
    public TubeErrorCode Error { get; init; }

    [Key(1)]
    public string? Message { get; init; }

    /// <summary>The leader this replica knows of (0 when none).</summary>
    [Key(2)]
    public ulong LeaderId { get; init; }

    /// <summary>The leader's client address, when known.</summary>
    [Key(3)]
    public string? LeaderAddress { get; init; }

    /// <summary>A serialized <see cref="StateMachines.TubeReply"/> (submit and read).</summary>
    [Key(4)]
    public byte[]? Reply { get; init; }

    /// <summary>Status requests: the replica's state.</summary>
    [Key(5)]
    public TubeStatus? Status { get; init; }

    /// <summary>Watch requests: one page of changes.</summary>
    [Key(6)]
    public WatchPage? Watch { get; init; }

    public byte[] ToBytes() => TubeSerializer.Serialize(this);

    public static TubeResponse FromBytes(ReadOnlyMemory<byte> bytes) =>
        TubeSerializer.Deserialize<TubeResponse>(bytes);
}
