using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Bench;

/// <summary>The whole-stack SimNet soak (TubeClient → Rpc25519 → TubeReplica → SimRaftStorage) over a range of
/// seeds, and the replay of one seed.</summary>
internal static class KvSoak
{
    private const string Mutant = "--mutant";
    private const string RunUsage = "kv-soak COUNT FIRST [--mutant] (COUNT seeds from FIRST on)";
    private const string ReplayUsage = "kv-seed SEED [--mutant]";

    /// <summary><c>kv-soak COUNT FIRST [--mutant]</c>: ends with the line "COUNT seeds ran, M failed"; exits 0
    /// if none failed, 1 if some did, 2 on bad arguments.</summary>
    public static int Run(string[] args)
    {
        if (SeedArguments.Number(args, 1, "COUNT", 1, int.MaxValue, RunUsage) is not { } seeds ||
            SeedArguments.Number(args, 2, "FIRST", 0, ulong.MaxValue - seeds, RunUsage) is not { } first ||
            !SeedArguments.NoExtra(args, 3, RunUsage, Mutant))
        {
            return SeedArguments.UsageExitCode;
        }

        int count = (int)seeds;
        bool mutant = args.Contains(Mutant);
        int failed = 0;
        long writes = 0, unknown = 0, reads = 0, faults = 0, admin = 0, pauses = 0, corruptions = 0, rebuilds = 0,
            watchEvents = 0, watchResumes = 0, swaps = 0, swapsRefused = 0, deletes = 0, leaseRefusals = 0;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (ulong seed = first; seed < first + (ulong)count; seed++)
        {
            SimKvSoakResult result = SimKvSoak.RunSeed(seed, mutant);
            writes += result.Writes;
            unknown += result.WritesUnknown;
            reads += result.Reads;
            faults += result.Faults;
            admin += result.AdminDone;
            pauses += result.Pauses;
            corruptions += result.Corruptions;
            rebuilds += result.Rebuilds;
            watchEvents += result.WatchEvents;
            watchResumes += result.WatchResumes;
            swaps += result.Swaps;
            swapsRefused += result.SwapsRefused;
            deletes += result.Deletes;
            leaseRefusals += result.LeaseRefusals;
            if (!result.Passed)
            {
                failed++;
                Console.WriteLine(result);
            }
        }

        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"totals: writes={writes}+{unknown}? reads={reads} faults={faults} admin-ops-accepted={admin} " +
            $"pauses={pauses} corruptions-detected={corruptions} rebuilds={rebuilds} " +
            $"watch-events={watchEvents} watch-resumes={watchResumes} swaps={swaps} swaps-refused={swapsRefused} " +
            $"deletes={deletes} lease-refusals={leaseRefusals}");
        Console.WriteLine($"wall: {seconds:0.0} s, {count / seconds:0.0} seeds/s");
        Console.WriteLine($"{count} seeds ran, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary><c>kv-seed SEED [--mutant]</c>: runs one seed twice and compares the traces; exits 0 if it passed
    /// both times with the same trace, 1 if not, 2 on bad arguments.</summary>
    public static int Replay(string[] args)
    {
        if (SeedArguments.Number(args, 1, "SEED", 0, ulong.MaxValue, ReplayUsage) is not { } seed ||
            !SeedArguments.NoExtra(args, 2, ReplayUsage, Mutant))
        {
            return SeedArguments.UsageExitCode;
        }

        bool mutant = args.Contains(Mutant);
        SimKvSoakResult first = SimKvSoak.RunSeed(seed, mutant);
        SimKvSoakResult second = SimKvSoak.RunSeed(seed, mutant);
        Console.WriteLine(first);
        bool same = first.TraceHash == second.TraceHash && first.Failure == second.Failure;
        Console.WriteLine(same ? "replay: identical trace" : $"replay: DIFFERENT trace {second}");
        return first.Passed && same ? 0 : 1;
    }
}
