using System.Diagnostics;
using System.Globalization;
using Rpc25519.Security;

namespace Rpc25519.Bench.Abuse;

/// <summary>
/// The load and abuse run (<c>--only abuse</c>): for a bounded time, good callers with unique payloads run next to
/// connect/close churners, slowloris sockets, clients that never read and decompression bombs, all against one TLS
/// server in a child process on loopback; the good callers run in a second child process, so that the abusers' own
/// garbage collections do not show up in their latency. Prints the good callers' calls/s and latency, the server's
/// memory (against its stated bound) and descriptors before, at peak and after, and every call that never completed.
/// Not a test: it asserts nothing.
/// </summary>
internal static class AbuseRun
{
    private const int GoodCallers = 8;
    private const int Churners = 4;
    private const int SlowlorisSockets = 1000;
    private const int SlowReaders = 2;
    private const int Bombers = 4;

    /// <summary>RPC connections open at once: each churner holds one at a time.</summary>
    private const int Connections = GoodCallers + Churners + SlowReaders + Bombers;

    /// <summary>The child server runs as a server app would in a container sized to the stated bound: .NET's default
    /// background (concurrent) GC — the benchmark's own process turns it off for steadier throughput figures — and its
    /// GC heap capped at the bound above the idle process.</summary>
    private static Dictionary<string, string> ChildGcSettings() => new()
    {
        ["DOTNET_gcConcurrent"] = "1",
        ["DOTNET_GCHeapHardLimit"] =
            AbuseMemoryBound.AboveIdleBytes(Connections, SlowlorisSockets).ToString("x", CultureInfo.InvariantCulture),
    };

    public static async Task RunAsync(TimeSpan duration)
    {
        string dir = Directory.CreateTempSubdirectory("rpc25519-abuse").FullName;
        string certs = Path.Combine(dir, "certs");
        string keep = Path.Combine(dir, "private");
        SelfCertificates.CreateCertificateAuthority(keep, null);
        SelfCertificates.CreateKeyPair("node", "abuse@example.org", certs, keep, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "abuse@example.org", certs, keep, null, _ => "");
        using Process child = ChildServer.Start(ChildGcSettings(), AbuseServer.ServeFlag, certs);
        try
        {
            int port = await ChildServer.ReadPortAsync(child);
            ServerStats before = await StatsAsync(child);
            using var stop = new CancellationTokenSource(duration);
            var shapes = new AbuseShapes(port, certs, stop.Token);
            using Process good = ChildServer.Start(AbuseGoodCallers.Flag, port.ToString(CultureInfo.InvariantCulture),
                certs, GoodCallers.ToString(CultureInfo.InvariantCulture),
                duration.TotalSeconds.ToString(CultureInfo.InvariantCulture));
            Task<string?> goodResults = good.StandardOutput.ReadLineAsync();
            Task[] loads =
            [
                .. Enumerable.Range(0, Churners).Select(_ => shapes.ChurnerAsync()),
                shapes.SlowlorisAsync(SlowlorisSockets),
                .. Enumerable.Range(0, SlowReaders).Select(_ => shapes.SlowReaderAsync()),
                .. Enumerable.Range(0, Bombers).Select(_ => shapes.BomberAsync()),
            ];
            ServerStats peak = before;
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(500);
                ServerStats now = await StatsAsync(child);
                peak = new ServerStats(Math.Max(peak.RssBytes, now.RssBytes), Math.Max(peak.Descriptors, now.Descriptors),
                    Math.Max(peak.GcHeapBytes, now.GcHeapBytes), Math.Max(peak.GcCommittedBytes, now.GcCommittedBytes),
                    Math.Max(peak.LargeObjectHeapBytes, now.LargeObjectHeapBytes), now.Gen2Collections, now.GcPauseMs,
                    now.BudgetPeakBytes, now.DecodeBufferPeakBytes);
            }
            await Task.WhenAll(loads).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
            await Task.Delay(2000);
            ServerStats after = await StatsAsync(child);
            string? goodLine = await goodResults.WaitAsync(TimeSpan.FromSeconds(30));
            Print(duration, shapes, GoodCallerResults.Parse(goodLine ?? "0 0 0 NaN NaN NaN"), before, peak, after);
            await child.StandardInput.WriteLineAsync("unobserved");
            Console.WriteLine($"  server unobserved task exceptions: {await child.StandardOutput.ReadLineAsync()}");
        }
        finally
        {
            await child.StandardInput.WriteLineAsync("quit");
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<ServerStats> StatsAsync(Process child)
    {
        await child.StandardInput.WriteLineAsync("stats");
        return ServerStats.Parse((await child.StandardOutput.ReadLineAsync())!);
    }

    private static void Print(TimeSpan duration, AbuseShapes shapes, GoodCallerResults good, ServerStats before,
        ServerStats peak, ServerStats after)
    {
        Console.WriteLine($"abuse run: {duration.TotalSeconds:F0} s, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"  server GC: concurrent, heap limit " +
            $"{AbuseMemoryBound.AboveIdleBytes(Connections, SlowlorisSockets) >> 20} MiB; frame limit " +
            $"{AbuseMemoryBound.MaxFrameBytes >> 20} MiB");
        Console.WriteLine($"  good callers ({GoodCallers}, unique payloads, own process): " +
            $"{good.Calls / duration.TotalSeconds:N0} calls/s, p50 {good.P50Ms:F2} ms, p99 {good.P99Ms:F2} ms " +
            $"(target < 50), max {good.MaxMs:F0} ms, mismatched replies {good.Mismatches}, never completed " +
            $"{good.NeverCompleted}");
        Console.WriteLine($"  churners (4): {shapes.Churned} connect+call+close cycles; slowloris sockets held: " +
            $"{Volatile.Read(ref shapes.IdleSockets)}; slow readers (2) pushed {shapes.SlowReaderBytes >> 20} MiB; " +
            $"zstd bombs (4 x 8 MiB decoded) answered: {shapes.BombsSent}");
        Console.WriteLine($"  server RSS MiB   before {before.RssBytes >> 20}, peak {peak.RssBytes >> 20}, after {after.RssBytes >> 20}");
        Console.WriteLine($"  server GC heap   before {before.GcHeapBytes >> 20}, peak {peak.GcHeapBytes >> 20}, after {after.GcHeapBytes >> 20} MiB");
        Console.WriteLine($"  server GC committed before {before.GcCommittedBytes >> 20}, peak {peak.GcCommittedBytes >> 20}, " +
            $"after {after.GcCommittedBytes >> 20} MiB; large object heap peak {peak.LargeObjectHeapBytes >> 20} MiB; " +
            $"gen2 collections {after.Gen2Collections - before.Gen2Collections}, GC pauses " +
            $"{after.GcPauseMs - before.GcPauseMs} ms in all");
        Console.WriteLine($"  server decode budget {AbuseMemoryBound.DecodeBudgetBytes >> 20} MiB: peak taken " +
            $"{after.BudgetPeakBytes >> 20} MiB, peak decompressed buffers {after.DecodeBufferPeakBytes >> 20} MiB");
        long bound = before.RssBytes + AbuseMemoryBound.AboveIdleBytes(Connections, SlowlorisSockets);
        Console.WriteLine($"  server RSS bound (docs/security.md): " +
            $"{AbuseMemoryBound.Describe(before.RssBytes, Connections, SlowlorisSockets)}; peak {peak.RssBytes >> 20} MiB: " +
            (peak.RssBytes <= bound ? "PASS" : "FAIL"));
        Console.WriteLine($"  server descriptors before {before.Descriptors}, peak {peak.Descriptors}, after {after.Descriptors}");
    }
}
