namespace Rpc25519.SimNet;

/// <summary>An immutable view of a network at one instant (see <see cref="SimNetwork.Snapshot"/>).</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="VirtualTime">Virtual time elapsed.</param>
/// <param name="Steps">Executor steps so far.</param>
/// <param name="TraceHash">The running trace hash.</param>
/// <param name="Counters">Network totals.</param>
/// <param name="Hosts">Every node's network state, in node order (the driver first).</param>
public sealed record SimNetworkSnapshot(ulong Seed, TimeSpan VirtualTime, long Steps, ulong TraceHash,
    SimNetworkCounters Counters, IReadOnlyList<SimHostSnapshot> Hosts)
{
    /// <summary>Finds a host by node name.</summary>
    /// <param name="name">The node's name (ordinal).</param>
    /// <exception cref="KeyNotFoundException">No such node.</exception>
    public SimHostSnapshot Host(string name) =>
        Hosts.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.Ordinal))
        ?? throw new KeyNotFoundException($"No node named '{name}' in the snapshot.");
}
