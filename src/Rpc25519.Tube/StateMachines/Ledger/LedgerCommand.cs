using MessagePack;

namespace Rpc25519.Tube.StateMachines.Ledger;

/// <summary>A command or read for the <see cref="BankLedger"/> example, serialized with MessagePack.</summary>
[MessagePackObject]
public sealed class LedgerCommand
{
    /// <summary>What to do.</summary>
    [Key(0)]
    public LedgerOperation Operation { get; init; }

    /// <summary>The account (the source of a transfer).</summary>
    [Key(1)]
    public string? Account { get; init; }

    /// <summary>The destination of a transfer.</summary>
    [Key(2)]
    public string? ToAccount { get; init; }

    /// <summary>The initial balance, or the amount to transfer.</summary>
    [Key(3)]
    public long Amount { get; init; }

    /// <summary>Serializes the command.</summary>
    /// <returns>The MessagePack bytes.</returns>
    public byte[] ToBytes() => TubeSerializer.Serialize(this);
}
