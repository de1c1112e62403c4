using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// Snapshots: the covered segments go, the suffix stays when the terms match (compaction) and goes when they do
/// not (a snapshot installed from the leader), and the disk losing power at every single change of the protocol
/// (temp file written, synced, renamed, directory synced, checkpoint written, segments deleted) recovers either
/// the old state or the new one, and the log carries on correctly from there. The stop is a power loss (unsynced
/// changes lost, with or without torn writes) or a process kill (every change kept, some segments deleted and
/// others not).
/// </summary>
public sealed class SnapshotStorageTests
{
    private static readonly byte[] SnapshotData = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];

    private static async Task<SimDisk> LogOf200(int seed)
    {
        var disk = NewDisk(seed);
        await using var storage = Open(disk, segmentBytesMax: 4096);
        for (long i = 1; i <= 200; i += 10)
        {
            storage.Append(Entries(i, i + 9));
            storage.SaveState(new HardState(1, 1, i + 9), null);
            await storage.FlushAsync();
        }

        return disk;
    }

    [Fact]
    public async Task CompactionDropsTheCoveredSegmentsAndKeepsTheSuffix()
    {
        var disk = await LogOf200(1);
        Assert.True(Segments(disk).Count >= 3, $"expected several segments, saw {Segments(disk).Count}");
        await using (var storage = Open(disk, segmentBytesMax: 4096))
        {
            await storage.SaveSnapshotAsync(new RaftSnapshot(150, 1, SnapshotData));
            Assert.Single(Segments(disk));
            await storage.SaveSnapshotAsync(new RaftSnapshot(100, 1, new byte[] { 1 }));
        }

        await using var reopened = Open(disk, segmentBytesMax: 4096);
        Assert.Equal(150, reopened.Recovered.Snapshot!.Index);
        AssertEntries(Entries(151, 200), reopened.Recovered.Entries);
        Assert.Equal(new HardState(1, 1, 200), reopened.Recovered.HardState);
    }

    [Fact]
    public async Task AnInstalledSnapshotWithAnotherTermReplacesTheWholeLog()
    {
        var disk = await LogOf200(2);
        await using (var storage = Open(disk, segmentBytesMax: 4096))
        {
            await storage.SaveSnapshotAsync(new RaftSnapshot(120, 3, SnapshotData));
            Assert.Equal(120, storage.LastIndex);
            storage.Append(Entries(121, 125, term: 3));
            await storage.FlushAsync();
        }

        await using var reopened = Open(disk, segmentBytesMax: 4096);
        Assert.Equal((120L, 3L), (reopened.Recovered.Snapshot!.Index, reopened.Recovered.Snapshot.Term));
        AssertEntries(Entries(121, 125, term: 3), reopened.Recovered.Entries);
    }

    [Theory]
    [InlineData(150, 1)]
    [InlineData(250, 5)]
    public async Task APowerLossAtEveryStepRecoversTheOldOrTheNewState(long snapshotIndex, long snapshotTerm)
    {
        bool keepsSuffix = snapshotTerm == 1;
        for (int changes = 0; ; changes++)
        {
            var disk = await LogOf200(100 + changes);
            bool completed;
            var storage = Open(disk, segmentBytesMax: 4096);
            disk.ChangesUntilPowerLoss = changes;
            try
            {
                await storage.SaveSnapshotAsync(new RaftSnapshot(snapshotIndex, snapshotTerm, SnapshotData));
                completed = true;
            }
            catch (IOException)
            {
                completed = false;
            }

            switch (changes % 3)
            {
                case 0:
                    disk.KillProcess();
                    break;
                default:
                    disk.Crash(tearUnsyncedWrites: changes % 3 == 1);
                    break;
            }

            long last;
            await using (var reopened = Open(disk, segmentBytesMax: 4096))
            {
                var recovered = reopened.Recovered;
                if (recovered.Snapshot is null)
                {
                    Assert.False(completed, $"power loss after {changes} changes: the snapshot was acknowledged");
                    AssertEntries(Entries(1, 200), recovered.Entries);
                }
                else
                {
                    Assert.Equal(snapshotIndex, recovered.Snapshot.Index);
                    Assert.Equal(SnapshotData, recovered.Snapshot.Data.ToArray());
                    AssertEntries(keepsSuffix ? Entries(snapshotIndex + 1, 200) : [], recovered.Entries);
                }

                Assert.Equal(new HardState(1, 1, 200), recovered.HardState);
                last = reopened.LastIndex;
                reopened.Append(Entries(last + 1, last + 3, term: 6));
                await reopened.FlushAsync();
            }

            await using (var again = Open(disk, segmentBytesMax: 4096))
            {
                Assert.Equal(last + 3, again.LastIndex);
                Assert.Equal(6, again.Recovered.Entries[^1].Term);
            }

            if (completed)
            {
                Assert.True(changes >= 6, $"the protocol finished after only {changes} changes");
                return;
            }
        }
    }
}
