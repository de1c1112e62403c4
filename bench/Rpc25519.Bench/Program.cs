// Side-by-side benchmark: raw TCP ping-pong (the limit), gRPC-dotnet (the baseline) and Rpc25519, all in this process
// on loopback, measured in the same run; prints a table with ratios. Not a test: nothing here asserts.
using System.Globalization;
using Rpc25519.Bench;
using Rpc25519.Bench.Targets;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (typeof(Report).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false) is
    [System.Diagnostics.DebuggableAttribute { IsJITOptimizerDisabled: true }])
{
    Console.Error.WriteLine("Refusing to benchmark a Debug build: run with -c Release.");
    return;
}
if (args is [AllocationSplit.ServeFlag])
{
    await AllocationSplit.ServeAsync();
    return;
}
if (args is [Rpc25519.Bench.Abuse.AbuseServer.ServeFlag, var abuseCerts])
{
    await Rpc25519.Bench.Abuse.AbuseServer.ServeAsync(abuseCerts);
    return;
}
if (args is [Rpc25519.Bench.Abuse.AbuseGoodCallers.Flag, var goodPort, var goodCerts, var goodCallers, var goodSeconds])
{
    await Rpc25519.Bench.Abuse.AbuseGoodCallers.RunAsync(int.Parse(goodPort, CultureInfo.InvariantCulture), goodCerts,
        int.Parse(goodCallers, CultureInfo.InvariantCulture),
        TimeSpan.FromSeconds(double.Parse(goodSeconds, CultureInfo.InvariantCulture)));
    return;
}
double seconds = 3;
int rounds = 3;
string only = "";
string extras = "all";
string observe = "none";
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--only": only = args[i + 1]; break;
        case "--rounds": rounds = Math.Max(1, int.Parse(args[i + 1], CultureInfo.InvariantCulture)); break;
        case "--extras": extras = args[i + 1]; break;
        case "--upload-mib": break;
        case "--observe": observe = args[i + 1]; break;
        default: throw new ArgumentException($"Unknown option {args[i]}; use --seconds N, --rounds N, --only NAME-PREFIX, --upload-mib N, " +
            "--extras all|none|streams|compression and --observe none|metrics|traces|all.");
    }
}
TimeSpan duration = TimeSpan.FromSeconds(seconds);
using BenchListeners listeners = BenchListeners.Attach(observe);
if (only == "abuse")
{
    await Rpc25519.Bench.Abuse.AbuseRun.RunAsync(duration);
    return;
}
if (only == "quic")
{
    // --upload-mib N shortens the 256 MiB upload for a smoke run.
    long uploadMib = args.Contains("--upload-mib") ? long.Parse(args[Array.IndexOf(args, "--upload-mib") + 1],
        CultureInfo.InvariantCulture) : 256;
    await Rpc25519.Bench.Quic.QuicVsTlsBench.RunAsync(duration, uploadMib * 1024 * 1024);
    return;
}
if (only == "quic-connect")
{
    // 200 sequential connects per transport in --rounds interleaved rounds (default 3 -> 4 for an even split).
    await Rpc25519.Bench.Quic.QuicConnectBench.RunAsync(connects: 200, rounds: Math.Max(rounds, 4));
    return;
}
if (only == "peers")
{
    await Rpc25519.Bench.Peers.PeerScenarios.RunAsync(duration);
    return;
}
Console.WriteLine($"Rpc25519 side-by-side benchmark: {Environment.ProcessorCount} cores, {duration.TotalSeconds} s " +
    $"per measurement, {rounds} interleaved rounds, loopback, one process; load average at start: {LoadAverage()}");

IEchoTarget[] targets =
[
    new BlockingRawTcpTarget(), new RawTcpTarget(), new GrpcTarget(), new Rpc25519Target(), new Rpc25519TypedTarget(),
];
if (only.Length > 0)
{
    // A quick look at some systems while tuning; only the ratios whose rows were measured are printed.
    targets = [.. targets.Where(t => t.Name.StartsWith(only, StringComparison.OrdinalIgnoreCase))];
}
// Rounds are interleaved: every target runs once per round, and each round starts with a different target, so a
// slow spell of the machine lands on all of them rather than on one. The servers start once and idle between turns.
foreach (IEchoTarget target in targets)
{
    await target.StartAsync();
}
var rows = new Dictionary<string, Dictionary<string, List<Result>>>();
for (int round = 0; round < rounds; round++)
{
    for (int i = 0; i < targets.Length; i++)
    {
        IEchoTarget target = targets[(i + round) % targets.Length];
        var results = new Dictionary<string, Result>
        {
            [Report.OneSmall] = await Scenarios.OneCallerAsync(target, 64, duration),
            [Report.OneBulk] = await Scenarios.OneCallerAsync(target, 64 * 1024, duration),
        };
        if (target.SupportsConcurrentCallers)
        {
            results[Report.ManySmall] = await Scenarios.ConcurrentCallersAsync(target, 64, 64, duration);
            results[Report.ManyConnections] = await Scenarios.ManyConnectionsAsync(target, 4, 64, 64, duration);
        }
        Dictionary<string, List<Result>> row = rows.TryGetValue(target.Name, out var existing) ? existing :
            rows[target.Name] = [];
        foreach ((string scenario, Result result) in results)
        {
            (row.TryGetValue(scenario, out var list) ? list : row[scenario] = []).Add(result);
        }
        Console.WriteLine($"  round {round + 1}/{rounds}: measured {target.Name} (load {LoadAverage()})");
    }
}
foreach (IEchoTarget target in targets)
{
    await target.DisposeAsync();
}

Report.Print(rows);
if (only.Length == 0 || "Rpc25519".StartsWith(only, StringComparison.OrdinalIgnoreCase))
{
    (double client, double server) = await AllocationSplit.MeasureAsync(calls: 20_000);
    Console.WriteLine($"{"allocated per 64 B call, server in its own process",-56} client {client,6:N0} B, " +
        $"server {server,6:N0} B   target <= 384 B each");
}
await Rpc25519.Bench.Extras.ExtraBenchmarks.RunAsync(extras);
Console.WriteLine(listeners.Summary());
Console.WriteLine($"load average at the end: {LoadAverage()}");

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
