using System.Diagnostics;
using System.Globalization;
using Rpc25519.SimNet.Harness;
using Rpc25519.SimNet.Runner;

// Usage:
//   replay <seed> [nodes] [safetySeconds] [traceFile]   prints the SimClusterResult line of one cluster run and,
//                                                      with a trace file, writes its first events there
//   bench [nodes] [roundsPerPeer]          7 nodes by default; every node calls every peer once per virtual ms
//   sweep <first> <count> [safetySeconds] [nodes]   runs cluster seeds first..first+count-1 and prints each failure
//                                                   and a summary line "sweep: ran=N failed=F firstFailed=S"
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
    int failed = 0;
    string firstFailed = "-";
    for (ulong seed = first; seed < first + (ulong)count; seed++)
    {
        try
        {
            new SimCluster(new SimClusterOptions
            {
                Seed = seed, Nodes = nodes, SafetyDuration = TimeSpan.FromSeconds(safety),
            }).Run();
        }
        catch (Rpc25519.SimNet.SimulationException e)
        {
            failed++;
            if (firstFailed == "-")
            {
                firstFailed = seed.ToString(CultureInfo.InvariantCulture);
            }
            string line = e.Message.Split('\n')[0];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL seed={seed}: {line}"));
        }
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"sweep: ran={count} failed={failed} firstFailed={firstFailed}"));
    return failed == 0 ? 0 : 1;
}
if (args.Length >= 1 && args[0] == "bench")
{
    int nodes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
    int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
    var wall = Stopwatch.StartNew();
    BenchResult result = AllToAllBench.Run(seed: 1, nodes, rounds);
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
    "sweep <first> <count> [safetySeconds] [nodes]");
return 2;
