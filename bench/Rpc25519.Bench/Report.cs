namespace Rpc25519.Bench;

/// <summary>
/// Prints the measurements of all rounds as one table (median, and min–max over the rounds), then the ratios that
/// the targets are stated in. A ratio is taken within each round (ours and the baseline measured minutes apart at
/// most) and the median of those per-round ratios is printed with their range.
/// </summary>
internal static class Report
{
    public const string OneSmall = "64B x1";
    public const string OneBulk = "64KiB x1";
    public const string ManySmall = "64B x64";
    public const string ManyConnections = "64B 4x64";

    public static void Print(Dictionary<string, Dictionary<string, List<Result>>> rows)
    {
        Console.WriteLine();
        Console.WriteLine("Median of the rounds, min–max in brackets; p50/p99 are medians of the rounds' percentiles.");
        Console.WriteLine($"{"system",-27} {"64B x1 calls/s",-26} {"p50 us",7} {"p99 us",7} {"alloc B/call",12} " +
            $"{"64B x64 calls/s",-28} {"64B 4 conns x64 calls/s",-28} {"64KiB x1 MB/s",-20}");
        foreach ((string name, Dictionary<string, List<Result>> r) in rows)
        {
            List<Result> one = r[OneSmall];
            Console.WriteLine($"{name,-27} {Spread(one, x => x.CallsPerSecond),-26} " +
                $"{Median(one.Select(x => x.P50Micros)),7:N1} {Median(one.Select(x => x.P99Micros)),7:N1} " +
                $"{Median(one.Select(x => x.AllocatedBytesPerCall)),12:N0} " +
                $"{Spread(r.GetValueOrDefault(ManySmall), x => x.CallsPerSecond),-28} " +
                $"{Spread(r.GetValueOrDefault(ManyConnections), x => x.CallsPerSecond),-28} " +
                $"{Spread(r[OneBulk], x => x.MegabytesPerSecond),-20}");
        }
        Console.WriteLine();
        // Rows are looked up by name, so a run of only some targets (--only) prints only the ratios it can.
        Dictionary<string, List<Result>>? o = rows.GetValueOrDefault(Targets.Rpc25519Target.TargetName);
        Dictionary<string, List<Result>>? typed = rows.GetValueOrDefault(Targets.Rpc25519TypedTarget.TargetName);
        Dictionary<string, List<Result>>? g = rows.GetValueOrDefault(Targets.GrpcTarget.TargetName);
        Dictionary<string, List<Result>>? t = rows.GetValueOrDefault(Targets.RawTcpTarget.TargetName);
        Dictionary<string, List<Result>>? b = rows.GetValueOrDefault(Targets.BlockingRawTcpTarget.TargetName);
        if (o is null)
        {
            return;
        }
        static double Calls(Result r) => r.CallsPerSecond;
        static double Megabytes(Result r) => r.MegabytesPerSecond;
        Ratio("one caller, 64 B: ours / gRPC", o, g, OneSmall, Calls, ">= 1.5");
        Ratio("one caller, 64 B: ours / blocking raw TCP", o, b, OneSmall, Calls, ">= 0.8");
        Ratio("one caller, 64 B: ours / async raw TCP", o, t, OneSmall, Calls, "");
        Ratio("64 callers, 64 B: ours / gRPC", o, g, ManySmall, Calls, ">= 4");
        Ratio("4 connections x 64 callers, 64 B: ours / gRPC", o, g, ManyConnections, Calls, "");
        Ratio("64 KiB echo: ours / gRPC", o, g, OneBulk, Megabytes, "");
        Ratio("64 KiB echo: ours / blocking raw TCP", o, b, OneBulk, Megabytes, ">= 0.8");
        Ratio("64 KiB echo: ours / async raw TCP", o, t, OneBulk, Megabytes, "");
        if (typed is not null)
        {
            Ratio("typed, one caller, 64 B: ours / gRPC", typed, g, OneSmall, Calls, ">= 1.5");
            Ratio("typed, 64 callers, 64 B: ours / gRPC", typed, g, ManySmall, Calls, ">= 4");
        }
        // This figure includes the bench loop's own async wrapper (one state-machine box per call, the same for
        // every system); the per-side line measured by AllocationSplit carries the target.
        Console.WriteLine($"{"allocated per 64 B call (client + server + bench loop)",-56} " +
            $"{Median(o[OneSmall].Select(x => x.AllocatedBytesPerCall)),8:N0} B   (target: the per-side line)");
    }

    private static void Ratio(string label, Dictionary<string, List<Result>> ours,
        Dictionary<string, List<Result>>? baseline, string scenario, Func<Result, double> measure, string target)
    {
        if (baseline is null || !ours.TryGetValue(scenario, out List<Result>? mine) ||
            !baseline.TryGetValue(scenario, out List<Result>? theirs))
        {
            return;
        }
        double[] perRound = [.. mine.Zip(theirs, (m, th) => measure(m) / measure(th))];
        Console.WriteLine($"{label,-56} {Median(perRound),6:N2}x ({perRound.Min():N2}–{perRound.Max():N2})  " +
            $"{(target.Length > 0 ? "target " + target : "")}");
    }

    private static string Spread(List<Result>? results, Func<Result, double> measure)
    {
        if (results is null)
        {
            return "n/a";
        }
        double[] values = [.. results.Select(measure)];
        return $"{Median(values):N0} ({values.Min():N0}–{values.Max():N0})";
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length == 0 ? double.NaN :
            sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
