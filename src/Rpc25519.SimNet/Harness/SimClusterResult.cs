namespace Rpc25519.SimNet.Harness;

/// <summary>What a <see cref="SimCluster"/> run did; two runs with the same seed give equal results.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="TraceHash">The trace hash at the end of the run.</param>
/// <param name="Steps">Executor steps.</param>
/// <param name="VirtualTime">Virtual time at the end.</param>
/// <param name="CallsSucceeded">Workload calls answered with the right payload.</param>
/// <param name="CallsFailed">Workload calls that failed with a typed RPC error (timeouts, closed connections).</param>
/// <param name="FaultsInjected">Nemesis actions that changed something.</param>
/// <param name="PowerCycles">Nodes powered off by the nemesis.</param>
/// <param name="Reboots">Application boots after a power-off; equals <paramref name="PowerCycles"/> in a correct
/// run.</param>
/// <param name="Partitions">Partitions injected by the nemesis (two-way or one-way).</param>
/// <param name="Network">Network totals.</param>
public sealed record SimClusterResult(ulong Seed, ulong TraceHash, long Steps, TimeSpan VirtualTime,
    long CallsSucceeded, long CallsFailed, long FaultsInjected, long PowerCycles, long Reboots, long Partitions, SimNetworkCounters Network)
{
    /// <summary>One line for logs: seed, hash, steps, time and counts.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"seed={Seed} hash=0x{TraceHash:X16} steps={Steps} virtual={VirtualTime.TotalSeconds:F3}s " +
            $"ok={CallsSucceeded} failed={CallsFailed} faults={FaultsInjected} powerCycles={PowerCycles} reboots={Reboots} partitions={Partitions} " +
            $"delivered={Network.Delivered} dropped={Network.Dropped}");
}
