using System.Diagnostics;
using System.Globalization;
using Rpc25519.SimNet;
using Rpc25519.SimNet.Harness;
using Rpc25519.SimNet.Runner;

// Usage:
//   replay <seed> [nodes] [safetySeconds] [traceFile]   prints the SimClusterResult line of one cluster run and,
//                                                      with a trace file, writes its first events there
//   bench [nodes] [roundsPerPeer] [checks] 7 nodes by default; every node calls every peer once per virtual ms
//   sweep <first> <count> [safetySeconds] [nodes] [checks]   runs cluster seeds first..first+count-1 with the given
//                                                   EscapeChecks (default All: this process runs nothing else), prints
//                                                   each failure (also: reboots differing from power cycles) and a
//                                                   summary line "sweep: ran=N failed=F firstFailed=S powerCycles=P
//                                                   partitions=Q"
if (args.Length >= 2 && args[0] == "replay")
{
    var options = new SimClusterOptions
    {
        Seed = ulong.Parse(args[1], CultureInfo.InvariantCulture),
        Nodes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7,
        SafetyDuration = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8),
        KeptEventsMax = args.Length > 4 ? 1_000_000 : 0,
    };
    var cluster = new SimCluster(options);
    Console.WriteLine(cluster.Run().ToString());
    if (args.Length > 4)
    {
        File.WriteAllLines(args[4], cluster.Simulation.KeptEvents.Select(e => e.ToString()));
    }
    return 0;
}
if (args.Length >= 3 && args[0] == "sweep")
{
    ulong first = ulong.Parse(args[1], CultureInfo.InvariantCulture);
    int count = int.Parse(args[2], CultureInfo.InvariantCulture);
    int safety = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8;
    int nodes = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 7;
    EscapeChecks checks = args.Length > 5 ? Enum.Parse<EscapeChecks>(args[5], ignoreCase: true) : EscapeChecks.All;
    int failed = 0;
    long powerCycles = 0;
    long partitions = 0;
    string firstFailed = "-";
    for (ulong seed = first; seed < first + (ulong)count; seed++)
    {
        string? failure = null;
        try
        {
            SimClusterResult result = new SimCluster(new SimClusterOptions
            {
                Seed = seed, Nodes = nodes, SafetyDuration = TimeSpan.FromSeconds(safety), EscapeChecks = checks,
            }).Run();
            powerCycles += result.PowerCycles;
            partitions += result.Partitions;
            if (result.Reboots != result.PowerCycles)
            {
                failure = $"{result.PowerCycles} power cycles but {result.Reboots} reboots";
            }
        }
        catch (SimulationException e)
        {
            failure = e.Message.Split('\n')[0];
        }
        if (failure is not null)
        {
            failed++;
            if (firstFailed == "-")
            {
                firstFailed = seed.ToString(CultureInfo.InvariantCulture);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL seed={seed}: {failure}"));
        }
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"sweep: ran={count} failed={failed} firstFailed={firstFailed} powerCycles={powerCycles} " +
        $"partitions={partitions}"));
    return failed == 0 ? 0 : 1;
}
if (args.Length >= 1 && args[0] == "bench")
{
    int nodes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
    int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
    var wall = Stopwatch.StartNew();
    EscapeChecks benchChecks = args.Length > 3 ? Enum.Parse<EscapeChecks>(args[3], ignoreCase: true)
        : EscapeChecks.Default;
    BenchResult result = AllToAllBench.Run(seed: 1, nodes, rounds, benchChecks);
    wall.Stop();
    double seconds = wall.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"nodes={nodes} roundsPerPeer={rounds} calls={result.Calls} messages={result.Messages} " +
        $"wall={seconds:F2}s messages/s={result.Messages / seconds:F0} virtual={result.Virtual.TotalSeconds:F3}s " +
        $"virtual/wall={result.Virtual.TotalSeconds / seconds:F2} steps={result.Steps} " +
        $"peakWorkingSet={Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)}MiB " +
        $"peakManaged={GC.GetGCMemoryInfo().HeapSizeBytes / (1024 * 1024)}MiB hash=0x{result.Hash:X16}"));
    return 0;
}
Console.Error.WriteLine("usage: replay <seed> [nodes] [safetySeconds] | bench [nodes] [roundsPerPeer] | " +
    "sweep <first> <count> [safetySeconds] [nodes] [checks]");
return 2;
