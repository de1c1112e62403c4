using System.Diagnostics;
using Rpc25519.Messages;

namespace Rpc25519.Bench.Quic;

/// <summary>
/// Connect time alone, QUIC against TLS/TCP in one process (<c>--only quic-connect</c>): fresh clients connect, make
/// one 64-byte call and are disposed, in interleaved rounds (TLS, QUIC, TLS, ...) so that both see the same machine
/// load. Each phase (connect, first call, dispose) is timed apart, so a fixed wait shows up where it is. Prints means
/// and the QUIC/TLS ratio of the whole (issue 16's handshake target: at most 1.5); asserts nothing.
/// </summary>
internal static class QuicConnectBench
{
    public static async Task RunAsync(int connects, int rounds)
    {
        string certs = Directory.CreateTempSubdirectory("rpc25519-quic-connect-").FullName;
        try
        {
            TransportEchoTarget[] targets = QuicVsTlsBench.Targets(certs);
            var phases = new Phases[targets.Length];
            for (int t = 0; t < targets.Length; t++)
            {
                await targets[t].StartAsync();
                await MeasureAsync(targets[t], 5, new Phases()); // warm-up
                phases[t] = new Phases();
            }
            int perRound = Math.Max(1, connects / rounds);
            Console.WriteLine($"Connect time, QUIC vs TLS/TCP: {Environment.ProcessorCount} cores, {rounds} interleaved " +
                $"rounds of {perRound} sequential connects each, loopback, one process");
            for (int round = 0; round < rounds; round++)
            {
                for (int t = 0; t < targets.Length; t++)
                {
                    await MeasureAsync(targets[t], perRound, phases[t]);
                }
            }
            Console.WriteLine($"{"",-10} {"connect ms",11} {"first call ms",14} {"dispose ms",11} {"total ms",9} " +
                $"{"p50 ms",7} {"p90 ms",7}");
            for (int t = 0; t < targets.Length; t++)
            {
                Phases p = phases[t];
                Console.WriteLine($"{targets[t].Name,-10} {p.Mean(p.Connect),11:N3} {p.Mean(p.Call),14:N3} " +
                    $"{p.Mean(p.Dispose),11:N3} {p.Mean(p.Total),9:N3} {p.Percentile(0.5),7:N3} {p.Percentile(0.9),7:N3}");
            }
            Console.WriteLine($"QUIC/TLS total ratio: {phases[1].Mean(phases[1].Total) / phases[0].Mean(phases[0].Total):N2} " +
                $"(target <= 1.5); connect phase alone {phases[1].Mean(phases[1].Connect) / phases[0].Mean(phases[0].Connect):N2}");
            foreach (TransportEchoTarget target in targets)
            {
                await target.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    private static async Task MeasureAsync(TransportEchoTarget target, int connects, Phases phases)
    {
        var request = new Message { Payload = new byte[64] };
        request.Header.ServiceName = "echo";
        for (int i = 0; i < connects; i++)
        {
            long start = Stopwatch.GetTimestamp();
            RpcClient client = await target.ConnectClientAsync();
            long connected = Stopwatch.GetTimestamp();
            await client.CallAsync(request);
            long called = Stopwatch.GetTimestamp();
            await client.DisposeAsync();
            long disposed = Stopwatch.GetTimestamp();
            phases.Add(connected - start, called - connected, disposed - called);
        }
    }

    private sealed class Phases
    {
        public readonly List<double> Connect = [];
        public readonly List<double> Call = [];
        public readonly List<double> Dispose = [];
        public readonly List<double> Total = [];

        public void Add(long connect, long call, long dispose)
        {
            double scale = 1000.0 / Stopwatch.Frequency;
            Connect.Add(connect * scale);
            Call.Add(call * scale);
            Dispose.Add(dispose * scale);
            Total.Add((connect + call + dispose) * scale);
        }

        public double Mean(List<double> values) => values.Count == 0 ? 0 : values.Average();

        public double Percentile(double p)
        {
            double[] sorted = [.. Total.Order()];
            return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        }
    }
}
