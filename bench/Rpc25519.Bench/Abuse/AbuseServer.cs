using System.Globalization;
using System.Net;
using Rpc25519.Messages;

namespace Rpc25519.Bench.Abuse;

/// <summary>The server side of the abuse run, in a child process of its own so that its memory and descriptors can be
/// read alone: a TLS echo server (with the knobs of <see cref="AbuseMemoryBound"/>) that answers "stats" on standard
/// input with its RSS, descriptors, GC figures and its decode budget's peaks.</summary>
internal static class AbuseServer
{
    public const string ServeFlag = "--serve-abuse";

    private static readonly MemoryBudget s_budget = new(AbuseMemoryBound.DecodeBudgetBytes);

    private static int s_unobserved;
    private static string s_firstUnobserved = "";

    public static async Task ServeAsync(string certs)
    {
        var options = new RpcOptions
        {
            ListenAddress = "127.0.0.1:0",
            Tls = { CertPath = certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
            MaxFrameBytes = AbuseMemoryBound.MaxFrameBytes,
            DecodeBudget = s_budget,
        };
        TaskScheduler.UnobservedTaskException += (_, e) =>
        {
            if (Interlocked.Increment(ref s_unobserved) == 1)
            {
                s_firstUnobserved = e.Exception.ToString().ReplaceLineEndings(" | ");
            }
        };
        await using var server = new RpcServer(options);
        server.RegisterCall("echo", static (request, _) => ValueTask.FromResult(request));
        var endPoint = (IPEndPoint)await server.StartAsync();
        Console.WriteLine(endPoint.Port.ToString(CultureInfo.InvariantCulture));
        while (Console.ReadLine() is { } line && line != "quit")
        {
            if (line == "unobserved")
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Console.WriteLine($"{Volatile.Read(ref s_unobserved)} {s_firstUnobserved}");
                continue;
            }
            Console.WriteLine(Stats().ToString());
        }
    }

    /// <summary>This process's resident memory, open descriptors and GC heap, now.</summary>
    public static ServerStats Stats()
    {
        long rssKiB = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rssKiB = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }
        int descriptors = Directory.GetFiles("/proc/self/fd").Length;
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        return new ServerStats(rssKiB * 1024, descriptors, GC.GetTotalMemory(forceFullCollection: false),
            gc.TotalCommittedBytes, gc.GenerationInfo[3].SizeAfterBytes, GC.CollectionCount(2),
            (long)GC.GetTotalPauseDuration().TotalMilliseconds, s_budget.PeakInUseBytes, s_budget.PeakDecodeBufferBytes);
    }
}

/// <summary>What the abuse server reports about itself.</summary>
internal readonly record struct ServerStats(long RssBytes, int Descriptors, long GcHeapBytes, long GcCommittedBytes,
    long LargeObjectHeapBytes, int Gen2Collections, long GcPauseMs, long BudgetPeakBytes, long DecodeBufferPeakBytes)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{RssBytes} {Descriptors} {GcHeapBytes} {GcCommittedBytes} {LargeObjectHeapBytes} {Gen2Collections} " +
        $"{GcPauseMs} {BudgetPeakBytes} {DecodeBufferPeakBytes}");

    public static ServerStats Parse(string text)
    {
        string[] parts = text.Split(' ');
        return new ServerStats(long.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture),
            int.Parse(parts[5], CultureInfo.InvariantCulture), long.Parse(parts[6], CultureInfo.InvariantCulture),
            long.Parse(parts[7], CultureInfo.InvariantCulture), long.Parse(parts[8], CultureInfo.InvariantCulture));
    }
}
