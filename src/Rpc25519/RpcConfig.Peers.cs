namespace Rpc25519;

public sealed partial class RpcConfig
{
    /// <summary>
    /// Peer API: names of services whose number of running instances (per client or server) is limited; the limit of
    /// <c>LimitedServiceNames[i]</c> is <c>LimitedServiceMax[i]</c>. Both lists must have the same length. A service
    /// not
    /// listed, or listed with a maximum of 0, is unlimited. Default: empty (no limits).
    /// </summary>
    public IList<string> LimitedServiceNames { get; set; } = [];

    /// <summary>Peer API: the maximum number of running instances of each service in
    /// <see cref="LimitedServiceNames"/>, index for index; 0 means no limit. Default: empty.</summary>
    public IList<int> LimitedServiceMax { get; set; } = [];

    /// <summary>
    /// Peer API: the receive window of every circuit, in credit units. A fragment costs one unit plus one per 4 KiB of
    /// payload (at most the whole window), so the default lets 1024 small fragments, or about 4 MiB of large ones, wait
    /// unread in a circuit's <see cref="Peers.Circuit.Reads"/> and <see cref="Peers.Circuit.Errors"/> together. A
    /// sender
    /// that has used up the window waits (its circuit only; sibling circuits go on) until the reader has taken
    /// fragments. Default 1024; at least 1. Both sides announce their own window when a circuit opens.
    /// </summary>
    public int PeerCircuitWindow { get; set; } = 1024;

    /// <summary>
    /// Peer API: how many newly opened circuits may wait for a local peer's service function to take them from its
    /// new-circuit channel. When it is full, a further circuit open is rejected (the opener's call fails with
    /// <see cref="Peers.PeerRejectedException"/>); nothing is dropped. Default 100; at least 1.
    /// </summary>
    public int PeerNewCircuitQueueCapacity { get; set; } = 100;
}
