namespace Rpc25519.Bench;

/// <summary>Prints the measurements as one table, then the ratios that the targets are stated in.</summary>
internal static class Report
{
    public static void Print(Dictionary<string, Dictionary<string, Result>> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{"system",-24} {"64B x1 calls/s",15} {"p50 us",8} {"p99 us",8} {"alloc B/call",13} " +
            $"{"64B x64 calls/s",16} {"64KiB MB/s",11}");
        foreach ((string name, Dictionary<string, Result> r) in rows)
        {
            Result one = r["64B x1"];
            string concurrent = r.TryGetValue("64B x64", out Result? c) ? $"{c.CallsPerSecond,16:N0}" : $"{"n/a",16}";
            Console.WriteLine($"{name,-24} {one.CallsPerSecond,15:N0} {one.P50Micros,8:N1} {one.P99Micros,8:N1} " +
                $"{one.AllocatedBytesPerCall,13:N0} {concurrent} {r["64KiB x1"].MegabytesPerSecond,11:N0}");
        }
        Console.WriteLine();
        // Rows are looked up by name, so a run of only some targets (--only) prints only the ratios it can.
        Dictionary<string, Result>? Row(string name) => rows.GetValueOrDefault(name);
        Dictionary<string, Result>? o = Row(Targets.Rpc25519Target.TargetName);
        Dictionary<string, Result>? typed = Row(Targets.Rpc25519TypedTarget.TargetName);
        Dictionary<string, Result>? g = Row(Targets.GrpcTarget.TargetName);
        Dictionary<string, Result>? t = Row("raw TCP ping-pong");
        Dictionary<string, Result>? b = Row("raw TCP blocking");
        if (o is null)
        {
            return;
        }
        if (g is not null)
        {
            Ratio("one caller, 64 B: ours / gRPC", o["64B x1"].CallsPerSecond / g["64B x1"].CallsPerSecond, ">= 1.5");
        }
        if (b is not null)
        {
            Ratio("one caller, 64 B: ours / blocking raw TCP", o["64B x1"].CallsPerSecond / b["64B x1"].CallsPerSecond,
                ">= 0.8");
        }
        if (t is not null)
        {
            Ratio("one caller, 64 B: ours / async raw TCP", o["64B x1"].CallsPerSecond / t["64B x1"].CallsPerSecond, "");
        }
        if (g is not null)
        {
            Ratio("64 callers, 64 B: ours / gRPC", o["64B x64"].CallsPerSecond / g["64B x64"].CallsPerSecond, ">= 2.5");
            Ratio("64 KiB echo: ours / gRPC", o["64KiB x1"].MegabytesPerSecond / g["64KiB x1"].MegabytesPerSecond, "");
        }
        if (b is not null)
        {
            Ratio("64 KiB echo: ours / blocking raw TCP",
                o["64KiB x1"].MegabytesPerSecond / b["64KiB x1"].MegabytesPerSecond, ">= 0.8");
        }
        if (t is not null)
        {
            Ratio("64 KiB echo: ours / async raw TCP", o["64KiB x1"].MegabytesPerSecond / t["64KiB x1"].MegabytesPerSecond,
                "");
        }
        if (typed is not null && g is not null)
        {
            Ratio("typed, one caller, 64 B: ours / gRPC", typed["64B x1"].CallsPerSecond / g["64B x1"].CallsPerSecond, ">= 1.5");
            Ratio("typed, 64 callers, 64 B: ours / gRPC", typed["64B x64"].CallsPerSecond / g["64B x64"].CallsPerSecond,
                ">= 2.5");
        }
        Console.WriteLine($"{"allocated per 64 B call (client + server, one process)",-56} " +
            $"{o["64B x1"].AllocatedBytesPerCall,8:N0} B   target <= 1024 B");
    }

    private static void Ratio(string label, double value, string target) =>
        Console.WriteLine($"{label,-56} {value,8:N2}x  {(target.Length > 0 ? "target " + target : "")}");
}
