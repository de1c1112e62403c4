using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// Damage to the snapshot file and to the state record on the real disk: a snapshot file emptied, cut short,
/// flipped or deleted stops the open, naming the snapshot file; a temp file left by a crash during a snapshot write
/// is removed and the old snapshot served; a torn state record (hard state and configuration in one record) falls
/// back to the previous state as a whole.
/// </summary>
public sealed class SnapshotAndStateDamageTests : IDisposable
{
    private readonly RealStorageDirectory dir = new("snapshot-damage");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task ASnapshotFileEmptiedCutShortOrFlippedStopsTheOpen()
    {
        await dir.WriteWithSnapshotAsync(last: 50, snapshotIndex: 40);
        byte[] original = await File.ReadAllBytesAsync(dir.SnapshotPath);
        var damaged = new List<byte[]>();
        foreach (int length in new[] { 0, 1, 8, 31, 32, 63, original.Length / 2, original.Length - 1 })
        {
            damaged.Add(original[..length]);
        }

        damaged.Add([.. original, 0]);
        for (int offset = 0; offset < original.Length; offset++)
        {
            var flipped = original.ToArray();
            flipped[offset] ^= 0x80;
            damaged.Add(flipped);
        }

        foreach (byte[] bytes in damaged)
        {
            await File.WriteAllBytesAsync(dir.SnapshotPath, bytes);
            var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
            Assert.Equal(dir.SnapshotPath, error.FilePath);
            Assert.Contains($"offset {error.Offset}", error.Message, StringComparison.Ordinal);
        }

        await File.WriteAllBytesAsync(dir.SnapshotPath, original);
        await using var intact = await dir.OpenAsync();
        Assert.Equal(40, intact.Recovered.Snapshot!.Index);
        AssertEntries(Entries(41, 50), intact.Recovered.Entries);
    }

    [Fact]
    public async Task ADeletedSnapshotFileThatTheLogNeedsStopsTheOpen()
    {
        await dir.WriteWithSnapshotAsync(last: 50, snapshotIndex: 40);
        File.Delete(dir.SnapshotPath);
        var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(dir.SnapshotPath, error.FilePath);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATempSnapshotLeftByACrashIsRemovedAndTheOldSnapshotServed()
    {
        await dir.WriteWithSnapshotAsync(last: 50, snapshotIndex: 40);
        string temp = Path.Combine(dir.Path, "snapshot.tmp");

        // Half of a newer snapshot (the crash hit before its fsync and rename), then a whole one (before the rename).
        byte[] newer = await File.ReadAllBytesAsync(dir.SnapshotPath);
        newer[8] = 45;
        foreach (byte[] left in new[] { newer[..(newer.Length / 2)], newer })
        {
            await File.WriteAllBytesAsync(temp, left);
            await using (var storage = await dir.OpenAsync())
            {
                Assert.Equal(40, storage.Recovered.Snapshot!.Index);
                AssertEntries(Entries(41, 50), storage.Recovered.Entries);
            }

            Assert.False(File.Exists(temp));
        }
    }

    [Fact]
    public async Task ATornStateRecordFallsBackToThePreviousHardStateAndConfigurationTogether()
    {
        var before = new Membership([1, 2, 3], [], 1, 1);
        var after = new Membership([1, 2], [3], 2, 2);
        await dir.WriteAsync(1, 10);
        await using (var storage = await dir.OpenAsync())
        {
            storage.SaveState(new HardState(1, 1, 10), before);
            await storage.FlushAsync();
        }

        string segment = dir.Segments()[^1];
        int start = (int)new FileInfo(segment).Length;
        await using (var storage = await dir.OpenAsync())
        {
            storage.SaveState(new HardState(2, 2, 10), after);
            await storage.FlushAsync();
        }

        byte[] full = await File.ReadAllBytesAsync(segment);
        for (int cut = start; cut < full.Length; cut++)
        {
            await File.WriteAllBytesAsync(segment, full[..cut]);
            await using var storage = await dir.OpenAsync();
            Assert.Equal(new HardState(1, 1, 10), storage.Recovered.HardState);
            Assert.Equal(before.Voters, storage.Recovered.Membership.Voters);
            Assert.Equal(before.Version, storage.Recovered.Membership.Version);
        }

        // A flipped byte in the same record when it is not the last one is corruption, not a tear.
        await File.WriteAllBytesAsync(segment, full);
        await dir.WriteAsync(11, 11);
        byte[] longer = await File.ReadAllBytesAsync(segment);
        longer[start + 60] ^= 1;
        await File.WriteAllBytesAsync(segment, longer);
        var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(segment, error.FilePath);
        Assert.Equal(start, error.Offset);
    }
}
