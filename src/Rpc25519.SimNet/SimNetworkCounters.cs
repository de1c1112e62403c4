namespace Rpc25519.SimNet;

/// <summary>Totals of a network since it was created.</summary>
/// <param name="Sent">Data messages sent (one per frame by default).</param>
/// <param name="SentBytes">Bytes in those messages.</param>
/// <param name="Delivered">Data messages written into a reader's pipe (duplicates and late deliveries
/// included).</param>
/// <param name="DeliveredBytes">Bytes in those messages.</param>
/// <param name="Dropped">Data messages lost in the network (drop, isolation, power, stall, overflow).</param>
/// <param name="Deaf">Data messages that arrived and were not heard.</param>
/// <param name="Duplicated">Extra copies made by duplicate faults.</param>
/// <param name="Resets">Connection ends reset (by a peer's abort, a stall timeout, or data to a vanished end).</param>
/// <param name="Overflows">Messages lost because a link was full (<see cref="SimNetworkOptions.LinkMessagesMax"/>).
/// </param>
/// <param name="Connects">Connections established.</param>
/// <param name="ConnectsRefused">Dials refused.</param>
public sealed record SimNetworkCounters(long Sent, long SentBytes, long Delivered, long DeliveredBytes, long Dropped,
    long Deaf, long Duplicated, long Resets, long Overflows, long Connects, long ConnectsRefused);
