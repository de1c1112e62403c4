using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>Errors are typed and say what to do: a failed fsync poisons the instance until it is reopened, bad
/// options and bad appends are refused before anything is written.</summary>
public sealed class StorageErrorTests
{
    [Fact]
    public async Task AFailedFsyncFailsEveryLaterCallUntilReopened()
    {
        var disk = NewDisk(1);
        var storage = Open(disk);
        storage.Append(Entries(1, 3));
        await storage.FlushAsync();
        storage.Append(Entries(4, 6));
        disk.ChangesUntilPowerLoss = 1;
        var failed = await Assert.ThrowsAsync<StorageFailedException>(() => storage.FlushAsync());
        Assert.Contains("reopen", failed.Message, StringComparison.Ordinal);
        Assert.IsType<IOException>(failed.InnerException);
        Assert.Throws<StorageFailedException>(() => storage.Append(Entries(7, 7)));
        Assert.Throws<StorageFailedException>(() => storage.SaveState(new HardState(1, 1, 1), null));
        await Assert.ThrowsAsync<StorageFailedException>(() => storage.FlushAsync());
        await storage.DisposeAsync();

        disk.Crash(tearUnsyncedWrites: false);
        await using var reopened = Open(disk);
        AssertEntries(Entries(1, 3), reopened.Recovered.Entries);
    }

    [Fact]
    public async Task ADisposedStorageRefusesWrites()
    {
        var storage = Open(NewDisk(2));
        await storage.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => storage.Append(Entries(1, 1)));
    }

    [Fact]
    public async Task BadOptionsAreRefusedWithTheFieldToFix()
    {
        var disk = NewDisk(3);
        var missing = await Assert.ThrowsAsync<ArgumentException>(
            () => SimRaftStorage.OpenAsync(disk, new RaftStorageOptions()));
        Assert.Contains("Directory", missing.Message, StringComparison.Ordinal);
        var tiny = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => SimRaftStorage.OpenAsync(disk, new RaftStorageOptions { Directory = "/d", SegmentBytesMax = 10 }));
        Assert.Contains("SegmentBytesMax", tiny.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendsThatLeaveAGapOrReachIntoTheSnapshotAreRefused()
    {
        await using var storage = Open(NewDisk(4));
        storage.Append(Entries(1, 10));
        await storage.SaveSnapshotAsync(new RaftSnapshot(5, 1, new byte[] { 1 }));
        Assert.Throws<ArgumentException>(() => storage.Append(Entries(12, 13)));
        Assert.Throws<ArgumentException>(() => storage.Append(Entries(5, 6)));
        Assert.Throws<ArgumentException>(() => storage.Append([Entry(11), Entry(13)]));
        Assert.Equal(10, storage.LastIndex);
        storage.Append(Entries(6, 7, term: 2));
        Assert.Equal(7, storage.LastIndex);
    }
}
