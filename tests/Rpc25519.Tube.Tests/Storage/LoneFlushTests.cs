using Rpc25519.Tube.Storage;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// A lone writer on real files, whose sync blocks the calling thread as fsync does: each flush runs on the writer's
/// own thread and is done when <see cref="IRaftStorage.FlushAsync"/> returns. The replica's host loop relies on it
/// for a lone write to reach the disk without a hop to another thread and back.
/// </summary>
public sealed class LoneFlushTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "tube-lone-flush-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void EachFlushOfALoneWriterIsDoneWhenFlushAsyncReturns()
    {
        // One thread, as the host loop's: work the flush loop hands to the scheduler runs only when the writer waits.
        var scheduler = new SingleThreadScheduler();
        long syncs = 0;
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
                Assert.True(flush.IsCompleted, $"flush {index} was still waiting when FlushAsync returned: it did " +
                    "not run on the writer's thread, so a previous flush loop had not stopped");
                await flush;
            }

            syncs = storage.SyncCount - syncsBefore;
        });

        Assert.Equal(5, syncs);
    }
}
