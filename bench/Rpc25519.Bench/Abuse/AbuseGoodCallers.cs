using System.Globalization;

namespace Rpc25519.Bench.Abuse;

/// <summary>
/// The good callers of the abuse run, in a process of their own: their latency then measures the server, not the
/// garbage collections that the abusers' client side (bombs compressed and decompressed) causes in the benchmark's
/// process, as it would for a real client on another machine. Prints one line of results and exits.
/// </summary>
internal static class AbuseGoodCallers
{
    public const string Flag = "--abuse-good";

    /// <summary>Runs <paramref name="callers"/> good callers against the server on <paramref name="port"/> for
    /// <paramref name="duration"/>, then prints their <see cref="GoodCallerResults"/>.</summary>
    public static async Task RunAsync(int port, string certs, int callers, TimeSpan duration)
    {
        using var stop = new CancellationTokenSource(duration);
        var shapes = new AbuseShapes(port, certs, stop.Token);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(i => shapes.GoodCallerAsync(i)));
        double[] latencies = [.. shapes.LatenciesMs.Order()];
        double P(double q) => latencies.Length == 0 ? double.NaN
            : latencies[(int)Math.Min(latencies.Length - 1, q * latencies.Length)];
        Console.WriteLine(new GoodCallerResults(shapes.GoodCalls, shapes.Mismatches, shapes.NeverCompleted, P(0.5),
            P(0.99), latencies.Length == 0 ? double.NaN : latencies[^1]).ToString());
    }
}

/// <summary>What the good callers' process reports.</summary>
internal readonly record struct GoodCallerResults(long Calls, long Mismatches, long NeverCompleted, double P50Ms,
    double P99Ms, double MaxMs)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Calls} {Mismatches} {NeverCompleted} {P50Ms:R} {P99Ms:R} {MaxMs:R}");

    public static GoodCallerResults Parse(string text)
    {
        string[] parts = text.Split(' ');
        return new GoodCallerResults(long.Parse(parts[0], CultureInfo.InvariantCulture),
            long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture), double.Parse(parts[4], CultureInfo.InvariantCulture),
            double.Parse(parts[5], CultureInfo.InvariantCulture));
    }
}
