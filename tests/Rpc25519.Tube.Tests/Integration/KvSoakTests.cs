namespace Rpc25519.Tube.Tests.Integration;

/// <summary>A bounded seed sweep of <see cref="SimKvSoak"/> (the full soak is
/// <c>bench/Rpc25519.Tube.Bench -- kv-soak COUNT FIRST</c>), its replay, and its mutation check.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class KvSoakTests
{
    private const int Seeds = 46;

    [Fact]
    public void SeedSweepPasses()
    {
        var failures = new List<string>();
        int faults = 0, reads = 0, writes = 0;
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            SimKvSoakResult result = SimKvSoak.RunSeed(seed);
            faults += result.Faults;
            reads += result.Reads;
            writes += result.Writes;
            if (!result.Passed)
            {
                failures.Add(result.ToString());
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(faults > Seeds && reads > Seeds && writes > Seeds, $"too little happened: writes={writes} " +
            $"reads={reads} faults={faults}");
    }

    [Fact]
    public void SeedReplaysToSameTrace()
    {
        SimKvSoakResult first = SimKvSoak.RunSeed(7);
        SimKvSoakResult second = SimKvSoak.RunSeed(7);
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
            SimKvSoakResult result = SimKvSoak.RunSeed(seed, unsafeReapplyRetries: true);
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
