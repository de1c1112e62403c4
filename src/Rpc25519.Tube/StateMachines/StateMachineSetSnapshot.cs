using MessagePack;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.StateMachines;

/// <summary>The whole replicated state as written to a snapshot stream. Lists in sorted order only, so equal states
/// give equal bytes.</summary>
[MessagePackObject]
internal sealed class StateMachineSetSnapshot
{
    public const int CurrentFormat = 1;

    [Key(0)]
    public int Format { get; init; } = CurrentFormat;

    [Key(1)]
    public long AppliedIndex { get; init; }

    [Key(2)]
    public long LogTimeMs { get; init; }

    [Key(3)]
    public List<ClientSession> Sessions { get; init; } = [];

    [Key(4)]
    public List<MachineSnapshot> Machines { get; init; } = [];

    /// <summary>The replicated address book, by ascending id (absent in snapshots written before it existed).</summary>
    [Key(5)]
    public List<MemberAddressEntry> MemberAddresses { get; init; } = [];
}
