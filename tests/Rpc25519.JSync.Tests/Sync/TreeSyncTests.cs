using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public class TreeSyncTests : SyncTestBase
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Full_copy_then_no_change(bool push)
    {
        Trees.MakeSample(Source, seed: 1);
        SyncResult first = push ? await Push(Source, Dest) : await Pull(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Empty(first.Errors);
        Assert.Equal(first.TreeBytes, first.LiteralBytes + first.CopiedBytes + first.ZeroBytes);

        SyncResult second = push ? await Push(Source, Dest) : await Pull(Source, Dest);
        Assert.Empty(second.Changes);
        Assert.Equal(0, second.LiteralBytes);
        Assert.Equal(0, second.FilesTransferred);
        Assert.Equal(0, second.SummaryChunks);
    }

    [Fact]
    public async Task Without_durability_files_are_still_verified_and_committed_whole()
    {
        // Durable = false (jcp --no-fsync) only skips waiting for the disk; the temp-file, verify and rename path is
        // the same, so the result is the same tree and no partial file is left behind.
        var fast = new SyncOptions { Durable = false, Delete = true };
        Trees.MakeSample(Source, seed: 31);
        SyncResult first = await Push(Source, Dest, fast);
        Assert.Empty(first.Errors);
        Trees.AssertSame(Source, Dest);
        Trees.Write(Source, "dir0/sub0/file0.dat", Trees.RandomBytes(5000, 32));
        File.Delete(Path.Join(Source, "big.bin"));
        SyncResult second = await Push(Source, Dest, fast);
        Assert.Empty(second.Errors);
        Assert.Equal(1, second.FilesTransferred);
        Trees.AssertSame(Source, Dest);
        Assert.Empty(Directory.GetFiles(Dest, "*.jsync-part", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_kind_of_change_is_synced_with_few_literal_bytes(bool push)
    {
        Trees.MakeSample(Source, seed: 2);
        byte[] large = Trees.RandomBytes(3_000_000, 20);
        Trees.Write(Source, "large/image.bin", large);
        await Push(Source, Dest);

        // edit mid-file, insert 1 KiB early in the large file, append, create, delete
        string edited = Path.Join(Source, "dir0/sub0/file0.dat");
        byte[] content = File.ReadAllBytes(edited);
        content[content.Length / 2] ^= 0xFF;
        File.WriteAllBytes(edited, content);
        Trees.Write(Source, "large/image.bin", [.. large.AsSpan(0, 4096), .. Trees.RandomBytes(1024, 21), .. large.AsSpan(4096)]);
        File.AppendAllText(Path.Join(Source, "dir1/sub1/file1.dat"), "appended line\n");
        Trees.Write(Source, "new/created.txt", Trees.RandomBytes(5000, 22));
        File.Delete(Path.Join(Source, "dir2/sub0/file2.dat"));

        SyncResult result = push ? await Push(Source, Dest, new SyncOptions { Delete = true }) : await Pull(Source, Dest, new SyncOptions { Delete = true });
        Trees.AssertSame(Source, Dest);
        Assert.Contains(result.Changes, c => c.Path == "dir2/sub0/file2.dat" && c.Action == ChangeAction.Delete);
        Assert.Contains(result.Changes, c => c.Path == "new/created.txt" && c.Action == ChangeAction.Create);
        Assert.Contains(result.Changes, c => c.Path == "large/image.bin" && c.Action == ChangeAction.Update);
        Assert.True(result.LiteralBytes < 5000 + content.Length + 14 + 6 * 65536, $"{result.LiteralBytes} literal bytes");
        Assert.True(result.CopiedBytes > 2_900_000);
    }

    [Fact]
    public async Task An_edit_in_a_small_file_resends_about_a_small_chunk_not_the_default_8_KiB()
    {
        // Chunk sizes follow the file's size: a 24 KB file is cut at ~512 B, so a 100-byte edit costs ~1 KB.
        byte[] text = Trees.RandomBytes(24_000, 40);
        Trees.Write(Source, "notes.txt", text);
        await Push(Source, Dest);
        text[12_000] ^= 0xFF;
        Trees.Write(Source, "notes.txt", text);
        File.SetLastWriteTimeUtc(Path.Join(Source, "notes.txt"), DateTime.UtcNow.AddMinutes(1));
        SyncResult result = await Push(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Equal(1, result.FilesTransferred);
        Assert.InRange(result.LiteralBytes, 1, 8 * ChunkerOptions.ForFileSize(text.Length).AverageSize);
        Assert.InRange(result.LiteralBytes, 1, 4096);
    }

    [Theory]
    [InlineData(SyncRole.Giver)]
    [InlineData(SyncRole.Taker)]
    public async Task Progress_counts_files_and_bytes_up_to_the_totals(SyncRole initiator)
    {
        Trees.MakeSample(Source, seed: 41);
        string[] files = Directory.GetFiles(Source, "*", SearchOption.AllDirectories);
        long bytes = files.Sum(f => new FileInfo(f).Length);
        var reports = new List<SyncProgress>();
        var progress = new SynchronousProgress(reports.Add);
        var (a, b) = InMemoryChannel.CreatePair();
        Task<SyncResult> responder = SyncSession.RespondAsync(b, initiator == SyncRole.Giver ? Dest : Source);
        await SyncSession.InitiateAsync(a, initiator, initiator == SyncRole.Giver ? Source : Dest, "", new SyncOptions(),
            CancellationToken.None, progress);
        await responder;
        Trees.AssertSame(Source, Dest);
        Assert.Equal(new SyncProgress(files.Length, files.Length, bytes, bytes), reports[^1]);
        Assert.All(reports.Zip(reports.Skip(1)), pair =>
        {
            Assert.True(pair.Second.BytesDone >= pair.First.BytesDone && pair.Second.FilesDone >= pair.First.FilesDone);
            Assert.True(pair.Second.BytesDone <= pair.Second.BytesTotal && pair.Second.FilesDone <= pair.Second.FilesTotal);
        });
        Assert.True(reports.Count > files.Length, "progress is reported as files go, not only at the end");
    }

    private sealed class SynchronousProgress(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }

    [Fact]
    public async Task A_renamed_directory_costs_almost_no_literal_bytes()
    {
        for (int i = 0; i < 20; i++)
        {
            Trees.Write(Source, $"project/src/module{i}.bin", Trees.RandomBytes(50_000 + (i * 1000), 100 + i));
        }
        await Push(Source, Dest);
        Directory.Move(Path.Join(Source, "project/src"), Path.Join(Source, "project/renamed"));

        SyncResult result = await Push(Source, Dest, new SyncOptions { Delete = true });
        Trees.AssertSame(Source, Dest);
        long dirBytes = Enumerable.Range(0, 20).Sum(i => 50_000L + (i * 1000));
        Assert.Equal(20, result.FilesTransferred);
        Assert.Equal(0, result.LiteralBytes);
        Assert.Equal(dirBytes, result.CopiedBytes);
    }

    [Fact]
    public async Task Delete_only_when_asked()
    {
        Trees.MakeSample(Source, seed: 3);
        await Push(Source, Dest);
        Trees.Write(Dest, "extra/only-on-dest.txt", [1, 2, 3]);

        SyncResult keep = await Push(Source, Dest);
        Assert.True(File.Exists(Path.Join(Dest, "extra/only-on-dest.txt")));
        Assert.DoesNotContain(keep.Changes, c => c.Action == ChangeAction.Delete);

        SyncResult delete = await Push(Source, Dest, new SyncOptions { Delete = true });
        Assert.False(Directory.Exists(Path.Join(Dest, "extra")));
        Assert.Equal(["extra/only-on-dest.txt", "extra"], delete.Changes.Where(c => c.Action == ChangeAction.Delete).Select(c => c.Path));
        Trees.AssertSame(Source, Dest);
    }

    [Fact]
    public async Task Dry_run_reports_changes_and_writes_nothing()
    {
        Trees.MakeSample(Source, seed: 4);
        await Push(Source, Dest);
        Trees.Write(Source, "dir0/new.txt", [1, 2, 3]);
        File.AppendAllText(Path.Join(Source, "big.bin"), "more");
        Trees.Write(Dest, "stale.txt", [4]);
        Trees.Write(Dest, Path.Join("dir1", PartialNameFor("x")), [5]);
        string before = Trees.Snapshot(Dest);

        SyncResult result = await Push(Source, Dest, new SyncOptions { DryRun = true, Delete = true });
        Assert.True(result.DryRun);
        Assert.Equal(before, Trees.Snapshot(Dest));
        Assert.Contains(result.Changes, c => c.Path == "dir0/new.txt" && c.Action == ChangeAction.Create);
        Assert.Contains(result.Changes, c => c.Path == "big.bin" && c.Action == ChangeAction.Update);
        Assert.Contains(result.Changes, c => c.Path == "stale.txt" && c.Action == ChangeAction.Delete);
        Assert.Equal(0, result.LiteralBytes);
    }

    [Fact]
    public async Task A_long_change_list_reaches_the_giver_complete_and_in_order()
    {
        for (int i = 0; i < 2100; i++)
        {
            Trees.Write(Source, $"many/{i:D5}", []);
        }
        SyncResult result = await Push(Source, Dest, new SyncOptions { DryRun = true });
        Assert.Equal(2102, result.Changes.Count);
        Assert.Equal(["", "many", "many/00000"], result.Changes.Take(3).Select(c => c.Path));
        Assert.Equal("many/02099", result.Changes[^1].Path);
    }

    [Fact]
    public async Task A_dry_run_into_a_missing_destination_creates_nothing()
    {
        Trees.MakeSample(Source, seed: 5);
        SyncResult result = await Push(Source, Dest, new SyncOptions { DryRun = true });
        Assert.False(Directory.Exists(Dest));
        Assert.Contains(result.Changes, c => c.Path == "" && c.Action == ChangeAction.Create);
    }

    [Fact]
    public async Task Excluded_entries_are_neither_sent_nor_deleted()
    {
        Trees.MakeSample(Source, seed: 6);
        Trees.Write(Source, "obj/out.o", [1]);
        Trees.Write(Source, "dir0/scratch.tmp", [2]);
        var options = new SyncOptions { Delete = true, Excludes = ["*.tmp", "obj/"] };
        await Push(Source, Dest, options);
        Assert.False(File.Exists(Path.Join(Dest, "dir0/scratch.tmp")));
        Assert.False(Directory.Exists(Path.Join(Dest, "obj")));

        Trees.Write(Dest, "keep.tmp", [3]);
        await Push(Source, Dest, options);
        Assert.True(File.Exists(Path.Join(Dest, "keep.tmp")));
    }

    [Fact]
    public async Task Checksum_mode_finds_changes_that_size_and_mtime_hide()
    {
        Trees.Write(Source, "same-size.bin", Trees.RandomBytes(10_000, 30));
        await Push(Source, Dest);
        string dest = Path.Join(Dest, "same-size.bin");
        DateTime mtime = File.GetLastWriteTimeUtc(dest);
        File.WriteAllBytes(dest, Trees.RandomBytes(10_000, 31));
        File.SetLastWriteTimeUtc(dest, mtime);

        SyncResult quick = await Push(Source, Dest);
        Assert.Equal(0, quick.FilesTransferred);
        Assert.False(Trees.FilesEqual(Path.Join(Source, "same-size.bin"), dest));

        SyncResult checksum = await Push(Source, Dest, new SyncOptions { Checksum = true });
        Assert.Equal(1, checksum.FilesTransferred);
        Trees.AssertSame(Source, Dest);
    }

    [Fact]
    public async Task Kind_changes_replace_the_old_entry()
    {
        Trees.Write(Source, "a", [1]);
        Trees.Write(Source, "b/inner.txt", [2]);
        await Push(Source, Dest);
        File.Delete(Path.Join(Source, "a"));
        Trees.Write(Source, "a/now-a-dir.txt", [3]);
        Directory.Delete(Path.Join(Source, "b"), recursive: true);
        Trees.Write(Source, "b", [4]);

        SyncResult kept = await Push(Source, Dest);
        Assert.Contains(kept.Errors, e => e.StartsWith("b: not replaced", StringComparison.Ordinal) && e.Contains("--delete"));
        Assert.True(File.Exists(Path.Join(Dest, "b/inner.txt")));

        SyncResult result = await Push(Source, Dest, new SyncOptions { Delete = true });
        Trees.AssertSame(Source, Dest);
        Assert.Contains(kept.Changes, c => c.Path == "a" && c.Action == ChangeAction.Replace);
        Assert.Contains(result.Changes, c => c.Path == "b" && c.Action == ChangeAction.Replace);
    }

    [Fact]
    public async Task A_single_file_root_is_synced_as_a_file()
    {
        string file = Trees.Write(Source, "one.bin", Trees.RandomBytes(70_000, 40));
        string target = Scratch("copy.bin");
        await Push(file, target);
        Assert.True(Trees.FilesEqual(file, target));
        File.AppendAllText(file, "x");
        SyncResult result = await Push(file, target);
        Assert.True(Trees.FilesEqual(file, target));
        Assert.True(result.LiteralBytes < 70_000);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Hundreds_of_small_files_are_pipelined_without_deadlock(bool push)
    {
        for (int i = 0; i < 400; i++)
        {
            Trees.Write(Source, $"d{i % 7}/f{i:D4}.txt", Trees.RandomBytes(i % 50 == 0 ? 200_000 : 300 + i, 500 + i));
        }
        SyncResult first = push ? await Push(Source, Dest) : await Pull(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Equal(400, first.FilesTransferred);
        for (int i = 0; i < 400; i += 3)
        {
            File.AppendAllText(Path.Join(Source, $"d{i % 7}/f{i:D4}.txt"), "!");
        }
        SyncResult second = push ? await Push(Source, Dest) : await Pull(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Equal(134, second.FilesTransferred);
    }

    [Fact]
    public async Task The_root_is_never_replaced_by_another_kind()
    {
        string file = Trees.Write(Source, "one.txt", [1]);
        Trees.Write(Dest, "precious.txt", [2]);
        var ex = await Assert.ThrowsAnyAsync<JSyncException>(() => Push(file, Dest));
        Assert.Contains("nothing was changed", ex.Message);
        Assert.True(File.Exists(Path.Join(Dest, "precious.txt")));

        string destFile = Trees.Write(Scratch("other"), "file", [3]);
        await Assert.ThrowsAnyAsync<JSyncException>(() => Push(Source, destFile));
        Assert.Equal([3], File.ReadAllBytes(destFile));
    }

    private static string PartialNameFor(string name) => "." + name + ".1.jsync-part";
}
