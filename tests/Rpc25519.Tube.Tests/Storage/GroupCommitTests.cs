using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// Group commit on a single-threaded scheduler, as under SimNet: 64 writers append and wait for durability in a
/// loop. Each simulated fsync yields once, so whatever the other writers queue meanwhile goes into the next batch.
/// The test counts fsyncs instead of timing anything.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public void ConcurrentWritersShareFsyncs()
    {
        const int writers = 64;
        const int appendsEach = 10;
        var disk = new SimDisk(new Random(1));
        var scheduler = new SingleThreadScheduler();
        long last = 0;
        var acknowledged = new List<long>();
        SimRaftStorage? storage = null;
        scheduler.Run(async () =>
        {
            storage = await SimRaftStorage.OpenAsync(disk, Options());
            async Task Writer()
            {
                for (int i = 0; i < appendsEach; i++)
                {
                    long index = ++last;
                    storage.Append([Entry(index)]);
                    await storage.FlushAsync();
                    Assert.Equal(TaskScheduler.Current, scheduler);
                    acknowledged.Add(index);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Writer()));
            await storage.DisposeAsync();
        });

        Assert.Equal(writers * appendsEach, acknowledged.Count);
        long syncs = disk.SyncCount;
        Assert.True(syncs <= writers * appendsEach / 16,
            $"{writers * appendsEach} appends took {syncs} fsyncs; group commit should batch them");
        Assert.True(syncs >= appendsEach, $"{syncs} fsyncs cannot cover {appendsEach} rounds of waiting writers");
        Assert.True(storage!.BatchCount >= appendsEach, $"only {storage.BatchCount} batches: writers wait for " +
            "their own data, so each of a writer's appends needs its own batch");

        disk.Crash(tearUnsyncedWrites: false);
        var reopened = Open(disk);
        AssertEntries(Entries(1, writers * appendsEach), reopened.Recovered.Entries);
    }

    [Fact]
    public void AFlushWaitsForTheFsyncThatCoversIt()
    {
        var disk = new SimDisk(new Random(2));
        var scheduler = new SingleThreadScheduler();
        scheduler.Run(async () =>
        {
            await using var storage = await SimRaftStorage.OpenAsync(disk, Options(preallocateBytes: 0));
            storage.Append(Entries(1, 3));
            var first = storage.FlushAsync();
            storage.Append(Entries(4, 6));
            var second = storage.FlushAsync();
            Assert.False(first.IsCompleted, "the fsync yields, so the flush cannot be done yet");
            await first;
            var durable = disk.ReadDurable(SegmentPath(1))!.Length;
            Assert.True(durable > 0);
            await second;
            Assert.True(disk.ReadDurable(SegmentPath(1))!.Length > durable, "the second batch went in its own fsync");
        });
    }

    /// <summary>A lone writer on real files, whose sync blocks the calling thread as fsync does: each flush runs on
    /// the writer's own thread and is done when FlushAsync returns. The replica's host loop relies on it for a lone
    /// write to reach the disk without a hop to another thread and back.</summary>
    [Fact]
    public void EachFlushOfALoneWriterIsDoneWhenFlushAsyncReturns()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tube-lone-flush-" + Guid.NewGuid().ToString("N"));
        // One thread, as the host loop's: work the flush loop hands to the scheduler runs only when the writer waits.
        var scheduler = new SingleThreadScheduler();
        long syncs = 0;
        try
        {
            scheduler.Run(async () =>
            {
                await using var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = directory });
                long syncsBefore = storage.SyncCount;
                for (int index = 1; index <= 5; index++)
                {
                    storage.Append([Entry(index)]);
                    Task flush = storage.FlushAsync();
                    // The flush loop used to yield once before it stopped: the next flush found it still running,
                    // queued behind it and was completed later, after a trip through the scheduler.
                    Assert.True(flush.IsCompleted, $"flush {index} was still waiting when FlushAsync returned: it " +
                        "did not run on the writer's thread, so a previous flush loop had not stopped");
                    await flush;
                }

                syncs = storage.SyncCount - syncsBefore;
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        Assert.Equal(5, syncs);
    }
}
