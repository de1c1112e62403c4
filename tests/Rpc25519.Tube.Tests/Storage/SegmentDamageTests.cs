using Rpc25519.Tube.Storage;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// Damage done to closed segments on the real disk, as an operator's mistake or a failing disk would do it: a flipped
/// byte in any field of a record before the tail, a torn last record, a segment deleted, swapped, emptied or copied
/// in from another storage directory. Each open must either recover what a torn write explains or refuse with
/// <see cref="StorageCorruptedException"/> naming the file and the offset of the damaged record.
/// </summary>
public sealed class SegmentDamageTests : IDisposable
{
    private const long Entries = 60;
    private readonly RealStorageDirectory dir = new("segment-damage");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task AFlippedByteInAnyFieldOfAClosedSegmentNamesTheFileAndTheRecordOffset()
    {
        await dir.WriteAsync(1, Entries);
        Assert.True(dir.Segments().Count >= 3, "the log must span at least three segments");
        string path = dir.Segment(1);
        byte[] original = await File.ReadAllBytesAsync(path);
        var starts = RealStorageDirectory.RecordStarts(original);
        Assert.Equal(original.Length, starts[^1] + 48 + BitConverter.ToInt32(original, starts[^1]));
        int checkedOffsets = 0;
        for (int offset = 0; offset < original.Length; offset += offset < starts[3] ? 1 : 11)
        {
            var bad = original.ToArray();
            bad[offset] ^= 0x04;
            await File.WriteAllBytesAsync(path, bad);
            var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
            int record = starts.Last(s => s <= offset);
            Assert.Equal(path, error.FilePath);
            Assert.True(record == error.Offset, $"a flip at {offset} (record at {record}) was reported at {error.Offset}");
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains($"offset {record}", error.Message, StringComparison.Ordinal);
            checkedOffsets++;
        }

        await File.WriteAllBytesAsync(path, original);
        await using var intact = await dir.OpenAsync();
        AssertEntries(Entries(1, Entries), intact.Recovered.Entries);
        Assert.True(checkedOffsets > 400, $"only {checkedOffsets} offsets were tried");
    }

    [Fact]
    public async Task AFlipInTheLastSegmentOfAKilledProcessIsNotMistakenForItsReservedZeros()
    {
        // What SIGKILL leaves: the open segment, preallocated, ends in zeros after its last record.
        using var copy = new RealStorageDirectory("segment-killed");
        await using (var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = dir.Path }))
        {
            storage.Append(Entries(1, 5));
            await storage.FlushAsync();
            for (long i = 6; i <= 12; i++)
            {
                storage.Append([Entry(i)]);
                await storage.FlushAsync();
            }

            Directory.CreateDirectory(copy.Path);
            File.Copy(dir.Segment(1), copy.Segment(1));
        }

        byte[] original = await File.ReadAllBytesAsync(copy.Segment(1));
        var starts = RealStorageDirectory.RecordStarts(original);
        int end = starts[^1] + 48 + BitConverter.ToInt32(original, starts[^1]);
        Assert.True(original.Length > end + 4096, "the copy must hold the reserved zeros");
        // Flips in earlier records are reported at their record; a byte set among the zeros, where a torn write
        // leaves none, at the end of the last record.
        foreach (int offset in new[] { starts[1] + 3, starts[2] + 20, starts[^2] + 50, end + 3000 })
        {
            var bad = original.ToArray();
            bad[offset] ^= 0x10;
            await File.WriteAllBytesAsync(copy.Segment(1), bad);
            var error = await Assert.ThrowsAsync<StorageCorruptedException>(copy.OpenAsync);
            Assert.Equal(copy.Segment(1), error.FilePath);
            Assert.Equal(offset < end ? starts.Last(s => s <= offset) : end, error.Offset);
        }

        await File.WriteAllBytesAsync(copy.Segment(1), original);
        await using var recovered = await copy.OpenAsync();
        AssertEntries(Entries(1, 12), recovered.Recovered.Entries);
    }

    [Fact]
    public async Task ALastRecordTornAtEveryCutPointIsTruncatedAndTheEarlierRecordsStay()
    {
        await dir.WriteAsync(1, Entries - 1);
        string last = dir.Segments()[^1];
        int start = (int)new FileInfo(last).Length;
        await using (var storage = await dir.OpenAsync())
        {
            storage.Append([Entry(Entries, dataBytes: 300)]);
            await storage.FlushAsync();
        }

        Assert.Equal(last, dir.Segments()[^1]);
        byte[] full = await File.ReadAllBytesAsync(last);
        Assert.True(full.Length - start > 300);
        for (int cut = start; cut < full.Length; cut++)
        {
            await File.WriteAllBytesAsync(last, full[..cut]);
            await using (var storage = await dir.OpenAsync())
            {
                AssertEntries(Entries(1, Entries - 1), storage.Recovered.Entries);
                Assert.Equal(Entries - 1, storage.Recovered.HardState.Commit);
            }

            Assert.Equal(start, new FileInfo(last).Length);
        }

        await using var writable = await dir.OpenAsync();
        writable.Append([Entry(Entries, term: 2)]);
        await writable.FlushAsync();
    }

    [Fact]
    public async Task ASegmentDeletedFromTheMiddleIsReportedMissing()
    {
        await dir.WriteAsync(1, Entries);
        var segments = dir.Segments();
        File.Delete(segments[1]);
        var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(segments[2], error.FilePath);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoSegmentsSwappedByRenamingAreRefused()
    {
        await dir.WriteAsync(1, Entries);
        var segments = dir.Segments();
        string aside = segments[1] + ".aside";
        File.Move(segments[1], aside);
        File.Move(segments[2], segments[1]);
        File.Move(aside, segments[2]);
        var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(segments[1], error.FilePath);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public async Task ASegmentCopiedInFromAnotherDirectoryBreaksTheChain()
    {
        using var other = new RealStorageDirectory("segment-other");
        await dir.WriteAsync(1, Entries);
        await other.WriteAsync(1, Entries * 2, term: 2);
        var ours = dir.Segments();
        Assert.True(other.Segments().Count > ours.Count);
        byte[] mine = await File.ReadAllBytesAsync(ours[1]);

        // The same position in the other log: its header names the right sequence but continues another chain.
        File.Copy(other.Segment(2), ours[1], overwrite: true);
        var middle = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(ours[1], middle.FilePath);
        Assert.Contains("chain", middle.Message, StringComparison.Ordinal);

        // The other log's next segment added after our last one.
        await File.WriteAllBytesAsync(ours[1], mine);
        long next = ours.Count + 1;
        File.Copy(other.Segment(next), dir.Segment(next));
        var appended = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(dir.Segment(next), appended.FilePath);
        File.Delete(dir.Segment(next));

        // Another log's segment under a name it was not written for.
        File.Copy(other.Segment(1), dir.Segment(next));
        var renamed = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(dir.Segment(next), renamed.FilePath);
        Assert.Contains("sequence", renamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACheckpointSegmentOrSnapshotFromAnotherDirectoryDoesNotMatchItsPartner()
    {
        // After compaction the log starts at a checkpoint segment, whose header starts the chain: only the hash of
        // the snapshot file that the checkpoint records ties the two together.
        using var other = new RealStorageDirectory("segment-other");
        await dir.WriteWithSnapshotAsync(last: 50, snapshotIndex: 40, dataBytes: 24);
        await other.WriteWithSnapshotAsync(last: 50, snapshotIndex: 40, dataBytes: 30);
        string checkpoint = Assert.Single(dir.Segments());
        Assert.Equal(Path.GetFileName(checkpoint), Path.GetFileName(Assert.Single(other.Segments())));
        byte[] mine = await File.ReadAllBytesAsync(checkpoint);

        File.Copy(Path.Combine(other.Path, Path.GetFileName(checkpoint)), checkpoint, overwrite: true);
        var segment = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(dir.SnapshotPath, segment.FilePath);
        Assert.Contains("another storage directory", segment.Message, StringComparison.Ordinal);
        var verified = Assert.Throws<StorageCorruptedException>(() => FileRaftStorage.Verify(dir.Path));
        Assert.Equal(segment.Message, verified.Message);

        await File.WriteAllBytesAsync(checkpoint, mine);
        File.Copy(other.SnapshotPath, dir.SnapshotPath, overwrite: true);
        var snapshot = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(dir.SnapshotPath, snapshot.FilePath);
    }

    [Fact]
    public async Task AnEmptySegmentIsATornTailOnlyWhenItIsTheLast()
    {
        await dir.WriteAsync(1, Entries);
        var segments = dir.Segments();
        string extra = dir.Segment(segments.Count + 1);
        await File.WriteAllBytesAsync(extra, []);
        await using (var storage = await dir.OpenAsync())
        {
            AssertEntries(Entries(1, Entries), storage.Recovered.Entries);
            storage.Append([Entry(Entries + 1)]);
            await storage.FlushAsync();
        }

        await using (var again = await dir.OpenAsync())
        {
            AssertEntries(Entries(1, Entries + 1), again.Recovered.Entries);
        }

        await File.WriteAllBytesAsync(segments[1], []);
        var error = await Assert.ThrowsAsync<StorageCorruptedException>(dir.OpenAsync);
        Assert.Equal(segments[1], error.FilePath);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }
}
