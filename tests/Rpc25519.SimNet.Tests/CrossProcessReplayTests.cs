using Rpc25519.SimNet.Harness;

namespace Rpc25519.SimNet.Tests;

/// <summary>
/// Replays in other processes: string hash codes are randomized per process and some collections order by processor
/// count, so a dependence on either can only show up when the second run is in a new process (spec §4.8).
/// </summary>
public sealed class CrossProcessReplayTests
{
    [Fact]
    public void Same_seed_in_new_processes_with_one_and_three_processors_gives_the_same_result_line()
    {
        // Goal: the 7-node RPC workload with faults is a function of the seed alone, not of the process or the
        // processor count. Method: run seed 42 here, then in two new processes of the runner with
        // DOTNET_PROCESSOR_COUNT 1 and 3; the result lines (trace hash, steps, counts) must be equal. Seed 43 in a new
        // process must differ (negative control).
        var options = new SimClusterOptions { Seed = 42, Nodes = 7, SafetyDuration = TimeSpan.FromSeconds(8) };
        string here = new SimCluster(options).Run().ToString();
        string one = RunRunner("replay 42 7 8", processorCount: 1);
        string three = RunRunner("replay 42 7 8", processorCount: 3);
        string other = RunRunner("replay 43 7 8", processorCount: 2);
        Assert.True(here == one, Explain(options, here, one, processorCount: 1));
        Assert.True(here == three, Explain(options, here, three, processorCount: 3));
        Assert.NotEqual(here, other);
        Assert.Contains("seed=43", other);
    }

    /// <summary>On a mismatch, reruns both sides keeping their traces and names the first differing event.</summary>
    private static string Explain(SimClusterOptions options, string here, string there, int processorCount)
    {
        options.KeptEventsMax = 1_000_000;
        var cluster = new SimCluster(options);
        cluster.Run();
        string path = Path.Combine(Path.GetTempPath(), $"simnet-replay-{Environment.ProcessId}.trace");
        RunRunner($"replay {options.Seed} {options.Nodes} {(int)options.SafetyDuration.TotalSeconds} {path}",
            processorCount);
        string? difference = TraceComparison.FirstDifferentLine(
            cluster.Simulation.KeptEvents.Select(e => e.ToString()).ToList(), File.ReadAllLines(path));
        File.Delete(path);
        return $"replay differs: here {here}, other process {there}; first difference at {difference ?? "(none)"}";
    }

    private static string RunRunner(string arguments, int processorCount) =>
        RunnerProcess.Run(arguments, processorCount, expectSuccess: true).Output;
}
