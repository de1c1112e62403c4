using MessagePack;

namespace Rpc25519.Tube.StateMachines;

/// <summary>One entry of the replicated address book in a snapshot.</summary>
[MessagePackObject]
internal sealed class MemberAddressEntry
{
    [Key(0)]
    public ulong Id { get; init; }

    [Key(1)]
    public string Address { get; init; } = "";
}
