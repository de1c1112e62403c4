using MessagePack;

namespace Rpc25519.Tube.StateMachines.Ledger;

/// <summary>The ledger as written to a snapshot: accounts in ordinal order.</summary>
[MessagePackObject]
internal sealed class LedgerSnapshot
{
    [Key(0)]
    public long Issued { get; init; }

    [Key(1)]
    public List<string> Accounts { get; init; } = [];

    [Key(2)]
    public List<long> Balances { get; init; } = [];
}
