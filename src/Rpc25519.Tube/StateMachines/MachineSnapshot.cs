using MessagePack;

namespace Rpc25519.Tube.StateMachines;

/// <summary>One registered machine's snapshot inside a <see cref="StateMachineSetSnapshot"/>.</summary>
[MessagePackObject]
internal sealed class MachineSnapshot
{
    [Key(0)]
    public string Name { get; init; } = "";

    [Key(1)]
    public byte[] Data { get; init; } = [];
}
