namespace Rpc25519.Tube.Tests.Integration;

/// <summary>A bounded seed sweep of <see cref="SimKvSoak"/> (the full soak is
/// <c>bench/Rpc25519.Tube.Bench -- kv-soak COUNT FIRST</c>), its replay, and its mutation check.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class KvSoakTests
{
    /// <summary>The slice CI runs: a few hundred seeds, as the issue asks (about 25 s on this 2-core machine; the soak
    /// does about 50 seeds/s on an idle one).</summary>
    private const int Seeds = 300;

    [Fact]
    public void SeedSweepPasses()
    {
        var failures = new List<string>();
        int faults = 0, reads = 0, writes = 0, pauses = 0, rebuilds = 0, watchEvents = 0, registerWrites = 0, swaps = 0,
            swapsRefused = 0, deletes = 0, leaseRefusals = 0, ledgerTransfers = 0, ledgerRefusals = 0;
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            SimKvSoakResult result = RunSeed(seed);
            faults += result.Faults;
            reads += result.Reads;
            writes += result.Writes;
            pauses += result.Pauses;
            rebuilds += result.Rebuilds;
            watchEvents += result.WatchEvents;
            registerWrites += result.RegisterWrites;
            swaps += result.Swaps;
            swapsRefused += result.SwapsRefused;
            deletes += result.Deletes;
            leaseRefusals += result.LeaseRefusals;
            ledgerTransfers += result.LedgerTransfers;
            ledgerRefusals += result.LedgerRefusals;
            if (!result.Passed)
            {
                failures.Add(result.ToString());
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(faults > Seeds && reads > Seeds && writes > Seeds && watchEvents > writes - registerWrites,
            "too little happened: " +
            $"writes={writes} (registers {registerWrites}) reads={reads} faults={faults} watch-events={watchEvents}");
        // The checked history must hold every kind of register operation and outcome.
        Assert.True(swaps > Seeds && swapsRefused > 0 && deletes > Seeds && leaseRefusals > 0,
            $"the registers had {swaps} swaps, {swapsRefused} refused, {deletes} deletes, {leaseRefusals} lease refusals");
        // The bank ledger beside the store must have moved money under the faults, and refused some.
        Assert.True(ledgerTransfers > Seeds && ledgerRefusals > 0,
            $"the ledger had {ledgerTransfers} transfers and {ledgerRefusals} refusals");
        // The slice must reach the pauses and the rebuilds after a flipped byte, not only the older faults.
        Assert.True(pauses > 0 && rebuilds > 0, $"the slice had {pauses} pauses and {rebuilds} rebuilds");
    }

    /// <summary>
    /// Runs one seed, and runs it once more if it failed only because SimNet's process-wide real-timer count rose:
    /// the test host creates timers of its own now and then (seen under heavy load, at seed 14, before the seed had
    /// done anything), and SimNet cannot tell them from the simulation's. A timer the simulated code made would be
    /// made again on the rerun, which replays the same trace, and fail the seed then.
    /// </summary>
    private static SimKvSoakResult RunSeed(ulong seed, bool unsafeReapplyRetries = false)
    {
        SimKvSoakResult result = SimKvSoak.RunSeed(seed, unsafeReapplyRetries);
        return result.Failure?.Contains("real System.Threading.Timer", StringComparison.Ordinal) == true
            ? SimKvSoak.RunSeed(seed, unsafeReapplyRetries)
            : result;
    }

    [Fact]
    public void SeedReplaysToSameTrace()
    {
        SimKvSoakResult first = RunSeed(7);
        SimKvSoakResult second = RunSeed(7);
        Assert.True(first.Passed, first.ToString());
        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.True(first.Writes > 0 && first.Reads > 0 && first.Faults > 0, first.ToString());
    }

    /// <summary>Mutation check: a state machine that applies a retried command again instead of answering it from
    /// the session cache must be caught by the soak's checks within the CI sweep.</summary>
    [Fact]
    public void ReapplyingRetriesIsCaught()
    {
        ulong? caught = null;
        for (ulong seed = 1; seed <= Seeds && caught is null; seed++)
        {
            SimKvSoakResult result = RunSeed(seed, unsafeReapplyRetries: true);
            if (!result.Passed)
            {
                caught = seed;
                // A re-applied retry shows as a counter bumped twice, as an old write landing over a newer one, or
                // as a watcher seeing the same put twice.
                Assert.True(result.Failure!.Contains("applied twice", StringComparison.Ordinal)
                    || result.Failure.Contains("not linearizable", StringComparison.Ordinal)
                    || result.Failure.Contains("was put twice", StringComparison.Ordinal), result.ToString());
            }
        }

        Assert.True(caught is not null, $"no seed in 1..{Seeds} caught a state machine that re-applies retries");
    }
}
