using System.Diagnostics;
using Rpc25519.Bench.Targets;

namespace Rpc25519.Bench;

/// <summary>What one scenario measured for one target.</summary>
internal sealed record Result(double CallsPerSecond, double P50Micros, double P99Micros, double AllocatedBytesPerCall,
    double MegabytesPerSecond);

/// <summary>The measurements, each bounded in time: warm up, then count for a fixed duration.</summary>
internal static class Scenarios
{
    public static async Task<Result> OneCallerAsync(IEchoTarget target, int payloadBytes, TimeSpan duration)
    {
        await using IEchoClient client = await target.ConnectAsync();
        byte[] payload = new byte[payloadBytes];
        await RunForAsync(client, payload, duration / 3);
        var latencies = new List<long>(1 << 20);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration && latencies.Count < 20_000_000)
        {
            long start = Stopwatch.GetTimestamp();
            await client.EchoAsync(payload);
            latencies.Add(Stopwatch.GetTimestamp() - start);
        }
        double seconds = watch.Elapsed.TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        latencies.Sort();
        double ticksToMicros = 1_000_000.0 / Stopwatch.Frequency;
        return new Result(
            latencies.Count / seconds,
            latencies[latencies.Count / 2] * ticksToMicros,
            latencies[(int)(latencies.Count * 0.99)] * ticksToMicros,
            (double)allocated / latencies.Count,
            latencies.Count * (double)payloadBytes / seconds / 1e6);
    }

    public static Task<Result> ConcurrentCallersAsync(IEchoTarget target, int callers, int payloadBytes,
        TimeSpan duration) => ManyConnectionsAsync(target, 1, callers, payloadBytes, duration);

    /// <summary>
    /// <paramref name="connections"/> clients of the same target, each with <paramref name="callersPerConnection"/>
    /// callers in flight: what a server sees from several busy clients at once.
    /// </summary>
    public static async Task<Result> ManyConnectionsAsync(IEchoTarget target, int connections, int callersPerConnection,
        int payloadBytes, TimeSpan duration)
    {
        IEchoClient[] clients = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => target.ConnectAsync()));
        try
        {
            byte[] payload = new byte[payloadBytes];
            IEnumerable<Task<long>> Callers(TimeSpan forHowLong) => clients.SelectMany(client =>
                Enumerable.Range(0, callersPerConnection).Select(_ => RunForAsync(client, payload, forHowLong)));
            await Task.WhenAll(Callers(duration / 3));
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            long[] counts = await Task.WhenAll(Callers(duration));
            double seconds = watch.Elapsed.TotalSeconds;
            long total = counts.Sum();
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            return new Result(total / seconds, double.NaN, double.NaN, (double)allocated / total,
                total * (double)payloadBytes / seconds / 1e6);
        }
        finally
        {
            foreach (IEchoClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<long> RunForAsync(IEchoClient client, byte[] payload, TimeSpan duration)
    {
        long calls = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration && calls < 50_000_000)
        {
            await client.EchoAsync(payload);
            calls++;
        }
        return calls;
    }
}
