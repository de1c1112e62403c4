namespace Rpc25519.SimNet;

/// <summary>A message as seen in a snapshot (lost queues).</summary>
/// <param name="Id">Network-wide message number.</param>
/// <param name="From">Sending connection end address.</param>
/// <param name="To">Receiving connection end address.</param>
/// <param name="Bytes">Payload size.</param>
/// <param name="Sent">Virtual time it was sent.</param>
/// <param name="LostReason">Why it was lost (dropped, deaf, isolated, powered off, stalled, overflow).</param>
/// <param name="IsDuplicate">True for a copy made by a duplicate fault.</param>
public sealed record SimMessageSnapshot(long Id, string From, string To, int Bytes, TimeSpan Sent, string? LostReason,
    bool IsDuplicate);
