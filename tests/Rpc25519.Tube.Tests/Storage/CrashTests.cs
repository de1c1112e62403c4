using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// Crashes on the simulated disk. A random workload of appends (some replacing a suffix) and hard-state saves runs,
/// flushing now and then; the disk sometimes loses power in the middle of a flush (after the write, before or
/// during the fsync). Then the machine crashes (unsynced writes lost, torn on half of those runs) or only the
/// process is killed (everything written kept). After each restart the recovered
/// state must be the state after some prefix of the operations that includes every acknowledged one, and the
/// workload carries on from it. The seed decides everything.
/// </summary>
public sealed class CrashTests
{
    private sealed record ModelState(List<LogEntry> Entries, HardState HardState);

    /// <summary>How often the interesting cases happened, so the test proves it exercised them.</summary>
    private sealed class Coverage
    {
        public int PowerLosses;
        public int LostUnacknowledged;
        public int KeptUnacknowledged;
    }

    [Fact]
    public async Task ACrashLosesOnlyUnacknowledgedWrites()
    {
        var coverage = new Coverage();
        for (int seed = 1; seed <= 150; seed++)
        {
            try
            {
                await RunSeed(seed, coverage, lyingDisk: false);
            }
            catch (Exception e) when (e is not StorageCorruptedException)
            {
                throw new InvalidOperationException($"seed {seed} failed: {e.Message}", e);
            }
        }

        Assert.True(coverage.PowerLosses > 20, $"only {coverage.PowerLosses} power losses mid-flush");
        Assert.True(coverage.LostUnacknowledged > 20, $"only {coverage.LostUnacknowledged} crashes lost writes");
        Assert.True(coverage.KeptUnacknowledged > 5, $"only {coverage.KeptUnacknowledged} crashes kept unsynced " +
            "writes (torn or whole)");
    }

    [Fact]
    public async Task MutationCheckADiskThatLiesAboutFsyncIsCaught()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            try
            {
                await RunSeed(seed, new Coverage(), lyingDisk: true);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("acknowledged", StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail("20 seeds on a disk that ignores fsync lost no acknowledged write");
    }

    private static async Task RunSeed(int seed, Coverage coverage, bool lyingDisk)
    {
        var random = new Random(seed);
        var disk = new SimDisk(new Random(seed + 1000)) { SyncYields = false, LiesAboutSync = lyingDisk };
        var current = new ModelState([], default);
        for (int restart = 0; restart < 4; restart++)
        {
            var storage = Open(disk, segmentBytesMax: 2048);
            AssertEntries(current.Entries, storage.Recovered.Entries);
            Assert.Equal(current.HardState, storage.Recovered.HardState);
            var history = new List<ModelState> { current };
            int acknowledged = 0;
            if (random.Next(3) == 0)
            {
                disk.ChangesUntilPowerLoss = random.Next(1, 60);
            }

            for (int op = 0; op < 40; op++)
            {
                try
                {
                    current = Step(storage, current, random);
                    history.Add(current);
                    if (random.Next(4) == 0)
                    {
                        await storage.FlushAsync();
                        acknowledged = history.Count - 1;
                    }
                }
                catch (IOException)
                {
                    coverage.PowerLosses++;
                    break;
                }
            }

            switch (random.Next(3))
            {
                case 0:
                    disk.KillProcess();
                    break;
                default:
                    disk.Crash(tearUnsyncedWrites: random.Next(2) == 0);
                    break;
            }

            await using var reopened = Open(disk, segmentBytesMax: 2048);
            current = Match(history, acknowledged, reopened.Recovered, seed);
            int kept = history.IndexOf(current);
            coverage.LostUnacknowledged += kept < history.Count - 1 ? 1 : 0;
            coverage.KeptUnacknowledged += kept > acknowledged ? 1 : 0;
            await reopened.DisposeAsync();
        }
    }

    /// <summary>One random operation, applied to the storage and to the model.</summary>
    private static ModelState Step(SimRaftStorage storage, ModelState state, Random random)
    {
        var entries = state.Entries.ToList();
        if (random.Next(5) == 0)
        {
            var hard = new HardState(state.HardState.Term + 1, (ulong)random.Next(4), entries.Count);
            storage.SaveState(hard, null);
            return new ModelState(entries, hard);
        }

        long last = entries.Count;
        long first = last > 0 && random.Next(4) == 0 ? Math.Max(1, last - random.Next(5)) : last + 1;
        long term = state.HardState.Term + 1;
        var appended = Enumerable.Range(0, random.Next(1, 6)).Select(i => Entry(first + i, term, random.Next(1, 300)))
            .ToArray();
        storage.Append(appended);
        entries.RemoveRange((int)first - 1, (int)(last - first + 1));
        entries.AddRange(appended);
        return new ModelState(entries, state.HardState);
    }

    /// <summary>Finds the operation prefix the recovered state equals; it must include every acknowledged
    /// one.</summary>
    private static ModelState Match(List<ModelState> history, int acknowledged, RaftPersistentState recovered,
        int seed)
    {
        for (int i = history.Count - 1; i >= acknowledged; i--)
        {
            var state = history[i];
            if (state.HardState == recovered.HardState && state.Entries.Count == recovered.Entries.Count &&
                state.Entries.Zip(recovered.Entries).All(p => p.First.Index == p.Second.Index &&
                    p.First.Term == p.Second.Term && p.First.Data.Span.SequenceEqual(p.Second.Data.Span)))
            {
                return state;
            }
        }

        throw new InvalidOperationException($"seed {seed}: recovered {recovered.Entries.Count} entries, hard state " +
            $"{recovered.HardState}: no state after operation {acknowledged} (the last acknowledged) or later " +
            "matches");
    }
}
