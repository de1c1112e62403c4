using Rpc25519.Tube.Tests.Harness;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Bench;

internal static class Program
{
    private static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "all";
        switch (mode)
        {
            case "etcd":
                return Etcd.EtcdCompare.RunAsync(args).GetAwaiter().GetResult();
            case Etcd.ReplicaChild.Mode when args.Length == 2:
                return Etcd.ReplicaChild.RunAsync(args[1]).GetAwaiter().GetResult();
            case "soak":
                return Soak(args);
            case "trace":
                return Trace(args);
            case "kv-soak":
                return KvSoak.Run(args);
            case "kv-seed":
                return KvSoak.Replay(args);
            case "seed":
                return SeedArguments.Number(args, 1, "SEED", 0, int.MaxValue, SeedUsage) is { } seed &&
                    SeedArguments.NoExtra(args, 2, SeedUsage)
                    ? ReplaySeed((int)seed)
                    : SeedArguments.UsageExitCode;
            case "throughput":
                Throughput.Run();
                return 0;
            case "catchup":
                CatchUp.Run();
                return 0;
            case "wal":
                WalBench.Run(args);
                return 0;
            case "all":
                Throughput.Run();
                CatchUp.Run();
                return Soak(["soak", "1000"]);
            default:
                Console.WriteLine("modes: soak [COUNT] [FIRST] | seed SEED | trace SEED [LINES] | kv-soak COUNT FIRST " +
                    "[--mutant] | kv-seed SEED [--mutant] | throughput | catchup | wal [count] | etcd [--seconds N] " +
                    "[--rounds R] | all");
                return 2;
        }
    }

    private const string SoakUsage = "soak [COUNT] [FIRST] (defaults 10000 and 1)";
    private const string SeedUsage = "seed SEED";
    private const string TraceUsage = "trace SEED [LINES] (default 200 lines)";

    private static int Soak(string[] args)
    {
        if (SeedArguments.Number(args, 1, "COUNT", 1, int.MaxValue, SoakUsage, 10_000) is not { } seeds ||
            SeedArguments.Number(args, 2, "FIRST", 0, int.MaxValue - seeds, SoakUsage, 1) is not { } firstSeed ||
            !SeedArguments.NoExtra(args, 3, SoakUsage))
        {
            return SeedArguments.UsageExitCode;
        }

        int count = (int)seeds;
        int first = (int)firstSeed;
        int failed = 0;
        int ran = 0;
        long snapshots = 0, reconfigs = 0, crashes = 0, writes = 0, reads = 0, leaders = 0, unknown = 0, pauses = 0;
        for (int seed = first; seed < first + count; seed++)
        {
            var result = ClusterSimulation.RunSeed(seed);
            ran++;
            snapshots += result.SnapshotsInstalled;
            reconfigs += result.MembershipChanges;
            crashes += result.Crashes;
            pauses += result.Pauses;
            writes += result.WritesCompleted;
            unknown += result.WritesUnknown;
            reads += result.ReadsCompleted;
            leaders += result.LeadersElected;
            if (!result.Passed)
            {
                failed++;
                Console.WriteLine(result);
            }
        }

        Console.WriteLine($"soak: ran={ran} failed={failed}");
        Console.WriteLine($"totals: leaders={leaders} writes={writes}+{unknown}? reads={reads} reconfigs={reconfigs} " +
            $"crashes={crashes} pauses={pauses} snapshots={snapshots}");
        return failed == 0 ? 0 : 1;
    }

    private static int Trace(string[] args)
    {
        if (SeedArguments.Number(args, 1, "SEED", 0, int.MaxValue, TraceUsage) is not { } seed ||
            SeedArguments.Number(args, 2, "LINES", 1, int.MaxValue, TraceUsage, 200) is not { } lines ||
            !SeedArguments.NoExtra(args, 3, TraceUsage))
        {
            return SeedArguments.UsageExitCode;
        }

        var simulation = new ClusterSimulation(SimulationSettings.FromSeed((int)seed)) { Trace = [] };
        var traced = simulation.Run();
        foreach (var line in simulation.Trace!.TakeLast((int)lines))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine(traced);
        return traced.Passed ? 0 : 1;
    }

    private static int ReplaySeed(int seed)
    {
        var first = ClusterSimulation.RunSeed(seed);
        var second = ClusterSimulation.RunSeed(seed);
        Console.WriteLine(first);
        bool identical = first.TraceHash == second.TraceHash && first.Failure == second.Failure;
        Console.WriteLine($"replay identical: {identical}");
        return first.Passed ? 0 : 1;
    }
}
