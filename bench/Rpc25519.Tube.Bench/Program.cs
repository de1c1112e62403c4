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
                var simulation = new ClusterSimulation(SimulationSettings.FromSeed(
                    int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture))) { Trace = [] };
                var traced = simulation.Run();
                foreach (var line in simulation.Trace!.TakeLast(args.Length > 2 ? int.Parse(args[2]) : 200))
                {
                    Console.WriteLine(line);
                }

                Console.WriteLine(traced);
                return traced.Passed ? 0 : 1;
            case "kv-soak":
                return KvSoak.Run(args);
            case "kv-seed":
                return KvSoak.Replay(ulong.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture),
                    args.Length > 2 && args[2] == "--mutant");
            case "seed":
                return ReplaySeed(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
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
                Console.WriteLine("modes: soak [count] [first] | seed N | kv-soak [count] [first] [--mutant] | kv-seed N " +
                    "[--mutant] | throughput | catchup | wal [count] | etcd [--seconds N] [--rounds R] | all");
                return 2;
        }
    }

    private static int Soak(string[] args)
    {
        int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        int first = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1;
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
