using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>Recovery rules: a torn tail is dropped; a flipped byte anywhere before it, a spliced, reordered or
/// missing segment, or a damaged snapshot file stops the open with the file and the offset.</summary>
public sealed class RecoveryTests
{
    /// <summary>Writes entries 1..9 in one flush, then entry 10 as the last record; returns the disk and the
    /// offset where the last record starts.</summary>
    private static async Task<(SimDisk Disk, int LastRecordStart)> LogWithKnownTail()
    {
        var disk = NewDisk(10);
        await using var storage = Open(disk, preallocateBytes: 0);
        storage.Append(Entries(1, 9));
        storage.SaveState(new HardState(1, 1, 9), null);
        await storage.FlushAsync();
        int start = disk.ReadDurable(SegmentPath(1))!.Length;
        storage.Append([Entry(10)]);
        await storage.FlushAsync();
        return (disk, start);
    }

    private static SimDisk CopyWith(SimDisk source, string path, byte[] bytes)
    {
        var copy = NewDisk(11);
        foreach (string name in source.ListFiles(DataDirectory))
        {
            string each = Path.Combine(DataDirectory, name);
            copy.WriteDurable(each, each == path ? bytes : source.ReadDurable(each)!);
        }

        return copy;
    }

    [Fact]
    public async Task ATornLastRecordIsTruncatedAtEveryCutPoint()
    {
        var (disk, start) = await LogWithKnownTail();
        var full = disk.ReadDurable(SegmentPath(1))!;
        Assert.True(full.Length - start > 48, "the last record must have a header and a payload");
        for (int cut = start; cut < full.Length; cut++)
        {
            var torn = CopyWith(disk, SegmentPath(1), full[..cut]);
            await using (var storage = Open(torn))
            {
                AssertEntries(Entries(1, 9), storage.Recovered.Entries);
                Assert.Equal(new HardState(1, 1, 9), storage.Recovered.HardState);
                storage.Append([Entry(10, term: 2)]);
                await storage.FlushAsync();
            }

            Assert.Equal(full.Length, torn.ReadDurable(SegmentPath(1))!.Length);
            await using var again = Open(torn);
            Assert.Equal(2, again.Recovered.Entries[^1].Term);
        }
    }

    [Fact]
    public async Task AZeroFilledTailIsTreatedAsTorn()
    {
        // A power loss can leave the file longer than its data: the last blocks read as zeros. Entry 10 spans a
        // 512-byte block boundary, and everything from that boundary on is zeroed, plus zero padding after it.
        var disk = NewDisk(12);
        int start;
        await using (var storage = Open(disk, preallocateBytes: 0))
        {
            storage.Append(Entries(1, 9));
            await storage.FlushAsync();
            start = disk.ReadDurable(SegmentPath(1))!.Length;
            storage.Append([Entry(10, dataBytes: 2000)]);
            await storage.FlushAsync();
        }

        var full = disk.ReadDurable(SegmentPath(1))!;
        int blockStart = ((start + 48 + 511) / 512) * 512;
        Assert.True(blockStart < full.Length);
        var zeroed = full.ToArray();
        Array.Clear(zeroed, blockStart, full.Length - blockStart);
        var padded = zeroed.Concat(new byte[700]).ToArray();
        await using (var recovered = Open(CopyWith(disk, SegmentPath(1), padded)))
        {
            AssertEntries(Entries(1, 9), recovered.Recovered.Entries);
        }

        // The same zeros followed by a live record further on are not a torn write but lost data.
        var followed = zeroed.Concat(full[start..]).ToArray();
        await Assert.ThrowsAsync<StorageCorruptedException>(
            () => SimRaftStorage.OpenAsync(CopyWith(disk, SegmentPath(1), followed), Options()));
    }

    [Fact]
    public async Task AFlippedByteBeforeTheTailStopsTheOpenWithFileAndOffset()
    {
        var (disk, start) = await LogWithKnownTail();
        var full = disk.ReadDurable(SegmentPath(1))!;
        for (int offset = 0; offset < full.Length; offset += offset < start ? 7 : 1)
        {
            var bad = full.ToArray();
            bad[offset] ^= 0x20;
            var ex = await Assert.ThrowsAsync<StorageCorruptedException>(
                () => SimRaftStorage.OpenAsync(CopyWith(disk, SegmentPath(1), bad), Options()));
            Assert.Equal(SegmentPath(1), ex.FilePath);
            Assert.True(ex.Offset <= offset, $"flip at {offset} reported at {ex.Offset}");
            Assert.Contains(SegmentPath(1), ex.Message, StringComparison.Ordinal);
            Assert.Contains($"offset {ex.Offset}", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASegmentSplicedFromAnotherLogIsDetectedByTheChain()
    {
        async Task<SimDisk> Write(int seed, long term)
        {
            var disk = NewDisk(seed);
            await using var storage = Open(disk, segmentBytesMax: 4096);
            for (long i = 1; i <= 200; i++)
            {
                storage.Append([Entry(i, term)]);
                await storage.FlushAsync();
            }

            return disk;
        }

        var ours = await Write(20, term: 1);
        var theirs = await Write(21, term: 2);
        Assert.True(Segments(ours).Count >= 4);
        var spliced = CopyWith(ours, SegmentPath(2), theirs.ReadDurable(SegmentPath(2))!);
        var ex = await Assert.ThrowsAsync<StorageCorruptedException>(
            () => SimRaftStorage.OpenAsync(spliced, Options(4096)));
        Assert.Equal(SegmentPath(2), ex.FilePath);
        Assert.Contains("chain", ex.Message, StringComparison.Ordinal);

        var swapped = CopyWith(CopyWith(ours, SegmentPath(2), ours.ReadDurable(SegmentPath(3))!),
            SegmentPath(3), ours.ReadDurable(SegmentPath(2))!);
        await Assert.ThrowsAsync<StorageCorruptedException>(() => SimRaftStorage.OpenAsync(swapped, Options(4096)));

        var missing = CopyWith(ours, SegmentPath(2), []);
        missing.Delete(SegmentPath(2));
        await missing.SyncDirectoryAsync(DataDirectory);
        var gap = await Assert.ThrowsAsync<StorageCorruptedException>(
            () => SimRaftStorage.OpenAsync(missing, Options(4096)));
        Assert.Contains("missing", gap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADamagedSnapshotFileStopsTheOpen()
    {
        var disk = NewDisk(30);
        await using (var storage = Open(disk))
        {
            storage.Append(Entries(1, 10));
            await storage.SaveSnapshotAsync(new RaftSnapshot(5, 1, new byte[100]));
        }

        string path = Path.Combine(DataDirectory, "snapshot");
        var bytes = disk.ReadDurable(path)!;
        bytes[60] ^= 1;
        var ex = await Assert.ThrowsAsync<StorageCorruptedException>(
            () => SimRaftStorage.OpenAsync(CopyWith(disk, path, bytes), Options()));
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public async Task SeededFlipsInSyncedDataAreAlwaysDetected()
    {
        int detected = 0;
        for (int seed = 1; seed <= 40; seed++)
        {
            var disk = new SimDisk(new Random(seed)) { SyncYields = false, FlipProbabilityPerSync = 0.05 };
            await using (var storage = Open(disk, segmentBytesMax: 8192))
            {
                for (long i = 1; i <= 60; i++)
                {
                    storage.Append([Entry(i)]);
                    await storage.FlushAsync();
                }
            }

            disk.Crash(tearUnsyncedWrites: true);
            disk.FlipProbabilityPerSync = 0;
            var live = disk.Faults.Where(f => disk.ReadDurable(f.Path) is not null).ToList();
            if (live.Count == 0)
            {
                await using var clean = Open(disk, segmentBytesMax: 8192);
                AssertEntries(Entries(1, 60), clean.Recovered.Entries);
                continue;
            }

            var ex = await Assert.ThrowsAsync<StorageCorruptedException>(
                () => SimRaftStorage.OpenAsync(disk, Options(8192)));
            Assert.Contains(live, f => f.Path == ex.FilePath && f.Offset >= ex.Offset);
            detected++;
        }

        Assert.True(detected >= 10, $"only {detected} of 40 seeds flipped a byte; raise the rate");
    }

    [Fact]
    public async Task AFlipAnywhereInASegmentOrTheSnapshotIsDetected()
    {
        for (int seed = 1; seed <= 30; seed++)
        {
            var disk = NewDisk(seed);
            await using (var storage = Open(disk, segmentBytesMax: 2048))
            {
                storage.Append(Entries(1, 80));
                await storage.FlushAsync();
                await storage.SaveSnapshotAsync(new RaftSnapshot(40, 1, new byte[500]));
                for (long i = 81; i <= 120; i++)
                {
                    storage.Append([Entry(i)]);
                    await storage.FlushAsync();
                }
            }

            var fault = disk.FlipDurableByte(path => !path.EndsWith("LOCK", StringComparison.Ordinal));
            Assert.NotNull(fault);
            var ex = await Assert.ThrowsAsync<StorageCorruptedException>(
                () => SimRaftStorage.OpenAsync(disk, Options(2048)));
            Assert.Equal(fault.Value.Path, ex.FilePath);
            Assert.True(ex.Offset <= fault.Value.Offset, $"seed {seed}: flip at {fault} reported at {ex.Offset}");
        }
    }

    [Fact]
    public async Task ASecondOpenerIsRefusedUntilTheFirstCloses()
    {
        var disk = NewDisk(40);
        var first = Open(disk);
        var ex = await Assert.ThrowsAsync<StorageLockedException>(() => SimRaftStorage.OpenAsync(disk, Options()));
        Assert.Contains("LOCK", ex.Message, StringComparison.Ordinal);
        await first.DisposeAsync();
        await using var second = Open(disk);

        string directory = Path.Combine(Path.GetTempPath(), "tube-lock-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new RaftStorageOptions { Directory = directory };
            await using (var held = await FileRaftStorage.OpenAsync(options))
            {
                await Assert.ThrowsAsync<StorageLockedException>(() => FileRaftStorage.OpenAsync(options));
            }

            await using var reopened = await FileRaftStorage.OpenAsync(options);
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }
}
