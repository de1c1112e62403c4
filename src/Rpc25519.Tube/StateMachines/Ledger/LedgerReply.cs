using MessagePack;

namespace Rpc25519.Tube.StateMachines.Ledger;

/// <summary>The answer of the <see cref="BankLedger"/>.</summary>
[MessagePackObject]
public sealed class LedgerReply
{
    /// <summary>The account's balance after the command (for a transfer: the source's).</summary>
    [Key(0)]
    public long Balance { get; init; }

    /// <summary>For <see cref="LedgerOperation.Total"/>: the sum of every balance.</summary>
    [Key(1)]
    public long Sum { get; init; }

    /// <summary>For <see cref="LedgerOperation.Total"/>: the money ever issued by opening accounts.</summary>
    [Key(2)]
    public long Issued { get; init; }

    /// <summary>Decodes a ledger reply payload.</summary>
    /// <param name="payload">The payload of a successful <see cref="TubeReply"/>.</param>
    /// <returns>The reply.</returns>
    public static LedgerReply FromBytes(ReadOnlyMemory<byte> payload) => TubeSerializer.Deserialize<LedgerReply>(payload);
}
