namespace Rpc25519.Peers;

/// <summary>Settings of the Peer/Circuit/Fragment API (<see cref="PeerApi"/>).</summary>
/// <remarks>Not thread-safe while being edited.</remarks>
public sealed class PeerOptions
{
    /// <summary>
    /// The services whose number of running instances (per client or server) is limited, with each one's maximum.
    /// A service not listed, or listed with 0, is unlimited. Default: empty (no limits). (Go: the parallel lists
    /// <c>LimitedServiceNames</c> and <c>LimitedServiceMax</c>.)
    /// </summary>
    public IDictionary<string, int> ServiceLimits { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// The receive window of every circuit, in credit units. A fragment costs one unit plus one per 4 KiB of payload
    /// (at most the whole window), so the default lets 1024 small fragments, or about 4 MiB of large ones, wait unread
    /// in a circuit's <see cref="Circuit.Reads"/> and <see cref="Circuit.Errors"/> together. A sender that has used up
    /// the window waits (its circuit only; sibling circuits go on) until the reader has taken fragments. Default 1024;
    /// at least 1. Both sides announce their own window when a circuit opens.
    /// </summary>
    public int CircuitWindow { get; set; } = 1024;

    /// <summary>
    /// How many newly opened circuits may wait for a local peer's service function to take them from its new-circuit
    /// channel. When it is full, a further circuit open is rejected (the opener's call fails with
    /// <see cref="PeerRejectedException"/>); nothing is dropped. Default 100; at least 1.
    /// </summary>
    public int NewCircuitQueueCapacity { get; set; } = 100;

    /// <summary>Returns a copy (with its own <see cref="ServiceLimits"/> map).</summary>
    public PeerOptions Clone() => new()
    {
        ServiceLimits = new Dictionary<string, int>(ServiceLimits, StringComparer.Ordinal),
        CircuitWindow = CircuitWindow,
        NewCircuitQueueCapacity = NewCircuitQueueCapacity,
    };
}
