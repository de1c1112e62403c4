using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// Preallocated segments (<see cref="RaftStorageOptions.PreallocateBytes"/>): the open segment ends in reserved
/// zeros, so that a batch's sync changes no metadata (fdatasync). A crash leaves those zeros after the last durable
/// record, and a write torn inside them leaves zeros from a sector boundary on: recovery must keep every
/// acknowledged record, drop only unsynced ones, and continue right after the last record.
/// </summary>
public sealed class PreallocationTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "tube-prealloc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ACrashLeavesTheReservedZerosWhichTheNextOpenCutsWithoutLosingARecord()
    {
        var disk = NewDisk(31);
        string segment = SegmentPath(1);
        var storage = Open(disk);
        storage.Append(Entries(1, 5));
        await storage.FlushAsync();
        storage.Append(Entries(6, 9));
        await storage.FlushAsync();
        Assert.Equal(1 << 20, disk.ReadDurable(segment)!.Length); // the reservation is durable with the first batch
        disk.Crash(tearUnsyncedWrites: true);

        await using (var reopened = Open(disk))
        {
            AssertEntries(Entries(1, 9), reopened.Recovered.Entries);
            byte[] cut = disk.ReadAllBytes(segment);
            Assert.True(cut.Length < 4096 && cut[^1] != 0, $"the zeros were not cut (length {cut.Length})");
            reopened.Append(Entries(10, 12));
            await reopened.FlushAsync();
        }

        // A clean close cuts the zeros itself.
        Assert.True(disk.ReadDurable(segment)!.Length < 4096);
        await using var again = Open(disk);
        AssertEntries(Entries(1, 12), again.Recovered.Entries);
    }

    [Fact]
    public async Task AWriteTornInsideTheReservedTailLosesOnlyTheUnsyncedRecord()
    {
        int lost = 0, kept = 0, partial = 0;
        for (int seed = 1; seed <= 120; seed++)
        {
            var disk = new SimDisk(new Random(seed)) { SyncYields = false };
            var storage = Open(disk);
            storage.Append(Entries(1, 3));
            await storage.FlushAsync();
            // A record of 1 to 6 entries of up to 1.5 KiB each: it spans several sectors, or sits inside one.
            var random = new Random(seed + 500);
            int count = random.Next(1, 7);
            var unsynced = Enumerable.Range(4, count).Select(i => Entry(i, dataBytes: random.Next(1, 1500))).ToArray();
            storage.Append(unsynced);
            disk.ChangesUntilPowerLoss = 1; // the write goes in; the fsync meets the power loss
            await Assert.ThrowsAsync<StorageFailedException>(() => storage.FlushAsync());
            int written = disk.ReadAllBytes(SegmentPath(1)).AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
            disk.Crash(tearUnsyncedWrites: true);
            int survived = disk.ReadAllBytes(SegmentPath(1)).AsSpan().LastIndexOfAnyExcept((byte)0) + 1;

            await using var reopened = Open(disk);
            var entries = reopened.Recovered.Entries;
            if (entries.Count == 3)
            {
                AssertEntries(Entries(1, 3), entries);
                lost++;
                partial += survived > 0 && survived < written && survived % 512 == 0 ? 1 : 0;
            }
            else
            {
                AssertEntries([.. Entries(1, 3), .. unsynced], entries);
                kept++;
            }

            reopened.Append([Entry(entries.Count + 1, term: 2)]);
            await reopened.FlushAsync();
        }

        // Whole survival is rare: the cut must fall on the record's end, and that on a sector boundary.
        Assert.True(lost > 60 && partial > 10,
            $"coverage: {lost} lost, {kept} kept whole, {partial} cut at a sector boundary inside the record");
    }

    [Fact]
    public async Task ARealSegmentIsPreallocatedWhileOpenAndACopyTakenThenRecovers()
    {
        var options = new RaftStorageOptions { Directory = directory };
        string copy = directory + "-copy";
        try
        {
            long recordsEnd;
            await using (var storage = await FileRaftStorage.OpenAsync(options))
            {
                storage.Append(Entries(1, 20));
                await storage.FlushAsync();
                string segment = Directory.GetFiles(directory, "*.wal").Single();
                long size = new FileInfo(segment).Length;
                Assert.True(OperatingSystem.IsLinux() ? size == options.PreallocateBytes : size < 4096,
                    $"segment size {size} while open");

                // What a SIGKILL now would leave: the records and the reserved zeros.
                Directory.CreateDirectory(copy);
                File.Copy(segment, Path.Combine(copy, Path.GetFileName(segment)));
                await using (var recovered = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = copy }))
                {
                    AssertEntries(Entries(1, 20), recovered.Recovered.Entries);
                }

                recordsEnd = new FileInfo(Directory.GetFiles(copy, "*.wal").Single()).Length;
                Assert.True(recordsEnd < 4096, $"the copy kept its zeros ({recordsEnd} bytes)");
                Assert.Equal(0, FileRaftStorage.Verify(copy).TornTailBytes);
            }

            Assert.Equal(recordsEnd, new FileInfo(Directory.GetFiles(directory, "*.wal").Single()).Length);
        }
        finally
        {
            if (Directory.Exists(copy))
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }

    [Fact]
    public async Task ANegativePreallocationIsRefused()
    {
        var options = new RaftStorageOptions { Directory = directory, PreallocateBytes = -1 };
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FileRaftStorage.OpenAsync(options));
        Assert.Contains("PreallocateBytes", error.Message);
    }
}
