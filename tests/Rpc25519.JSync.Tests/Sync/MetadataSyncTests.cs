using Rpc25519.JSync.Native;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public class MetadataSyncTests : SyncTestBase
{
    [Fact]
    public async Task Sparse_files_stay_sparse()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        string file = Path.Join(Source, "disk.img");
        using (var fs = new FileStream(file, FileMode.Create))
        {
            fs.Write(Trees.RandomBytes(1 << 20, 50));
            fs.Position = 9 << 20;
            fs.Write(Trees.RandomBytes(1 << 20, 51));
            fs.SetLength(14 << 20);
        }
        if (Disk.AllocatedBytes(file) > (3 << 20))
        {
            return; // this file system does not keep holes; nothing to check
        }
        SyncResult result = await Push(Source, Dest);
        string copy = Path.Join(Dest, "disk.img");
        Assert.True(Trees.FilesEqual(file, copy));
        Assert.Equal(14L << 20, new FileInfo(copy).Length);
        long allocated = Disk.AllocatedBytes(copy);
        Assert.True(allocated < (2 << 20) + (512 << 10), $"the copy allocates {allocated} bytes");
        Assert.True(result.ZeroBytes > 11L << 20, $"{result.ZeroBytes} zero bytes");
        Assert.True(result.LiteralBytes < (2 << 20) + (256 << 10));
    }

    [Fact]
    public async Task Symlinks_are_copied_as_links_and_never_followed()
    {
        Trees.Write(Source, "dir/file.txt", [1, 2, 3]);
        File.CreateSymbolicLink(Path.Join(Source, "rel-link"), "dir/file.txt");
        File.CreateSymbolicLink(Path.Join(Source, "abs-link"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Join(Source, "dangling"), "nowhere/at/all");
        Directory.CreateSymbolicLink(Path.Join(Source, "dir-link"), "dir");
        await Push(Source, Dest);

        Trees.AssertSame(Source, Dest);
        Assert.Equal("/etc/hostname", new FileInfo(Path.Join(Dest, "abs-link")).LinkTarget);
        Assert.Equal("dir", new DirectoryInfo(Path.Join(Dest, "dir-link")).LinkTarget);
        Assert.DoesNotContain(new TreeScanner().Scan(Dest).Entries, e => e.Path.StartsWith("dir-link/", StringComparison.Ordinal));

        File.Delete(Path.Join(Source, "rel-link"));
        File.CreateSymbolicLink(Path.Join(Source, "rel-link"), "dir");
        SyncResult result = await Push(Source, Dest);
        Assert.Contains(result.Changes, c => c.Path == "rel-link" && c.Action == ChangeAction.Update);
        Trees.AssertSame(Source, Dest);
    }

    [Fact]
    public async Task Modes_and_nanosecond_mtimes_are_kept()
    {
        string file = Trees.Write(Source, "locked/secret.txt", [7, 7, 7]);
        string exe = Trees.Write(Source, "run.sh", [8]);
        string dir = Path.Join(Source, "locked");
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.SetUnixFileMode(exe, (UnixFileMode)0x1ED); // 0755
        File.SetUnixFileMode(dir, (UnixFileMode)0x16D); // 0555: files are written inside before the mode is applied
        const long mtime = 1_600_000_000_123_456_789;
        if (PosixFile.IsSupported)
        {
            Assert.True(PosixFile.TrySetMtime(file, mtime));
            Assert.True(PosixFile.TrySetMtime(dir, mtime + 1));
        }
        await Push(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Join(Dest, "locked")));
        if (PosixFile.IsSupported)
        {
            Assert.True(PosixFile.TryLstat(Path.Join(Dest, "locked/secret.txt"), out _, out long copied));
            Assert.Equal(mtime, copied);
        }

        // metadata only: mode change and mtime change move no bytes
        File.SetUnixFileMode(exe, (UnixFileMode)0x1C0); // 0700
        SyncResult result = await Push(Source, Dest);
        Assert.Equal([new SyncChange { Path = "run.sh", Action = ChangeAction.Metadata, Kind = EntryKind.File }], result.Changes);
        Assert.Equal(0, result.FilesTransferred);
        Trees.AssertSame(Source, Dest);
    }

    [Fact]
    public async Task A_read_only_file_gets_its_mtime_after_its_mode()
    {
        // The taker sets mode and mtime through the open temp file (fchmod, then futimens): a mode without write
        // permission must not stop the mtime, nor must the mtime be lost to a later write.
        if (OperatingSystem.IsWindows() || !PosixFile.IsSupported)
        {
            Assert.False(OperatingSystem.IsLinux(), "Linux x64/arm64 must use the POSIX calls");
            return;
        }
        string file = Trees.Write(Source, "ro.bin", Trees.RandomBytes(200_000, 3));
        File.SetUnixFileMode(file, (UnixFileMode)0x124); // 0444
        const long mtime = 1_650_000_000_987_654_321;
        Assert.True(PosixFile.TrySetMtime(file, mtime));
        await Push(Source, Dest);
        string copy = Path.Join(Dest, "ro.bin");
        Assert.True(Trees.FilesEqual(file, copy));
        Assert.Equal((UnixFileMode)0x124, File.GetUnixFileMode(copy));
        Assert.True(PosixFile.TryLstat(copy, out _, out long copied, out long size));
        Assert.Equal(mtime, copied);
        Assert.Equal(200_000, size);
    }

    [Fact]
    public void The_commit_rename_replaces_a_file_and_reports_failure_for_the_fallback()
    {
        if (!PosixFile.IsSupported)
        {
            Assert.False(OperatingSystem.IsLinux(), "Linux x64/arm64 must use the POSIX calls");
            return;
        }
        string from = Trees.Write(Source, "new.txt", [1, 2]);
        string to = Trees.Write(Source, "old.txt", [9]);
        Assert.True(PosixFile.TryRename(from, to));
        Assert.Equal([1, 2], File.ReadAllBytes(to));
        Assert.False(File.Exists(from));
        Assert.False(PosixFile.TryRename(from, to)); // the source is gone: false, and the target stays
        Trees.Write(Source, "full/inside.txt", [3]);
        Assert.False(PosixFile.TryRename(to, Path.Join(Source, "full"))); // never over a directory
        Assert.True(File.Exists(to));
    }

    [Fact]
    public async Task Empty_files_and_empty_directories_are_created()
    {
        Trees.Write(Source, "a/empty.txt", []);
        Directory.CreateDirectory(Path.Join(Source, "b/c/d"));
        SyncResult result = await Push(Source, Dest);
        Trees.AssertSame(Source, Dest);
        Assert.Equal(0, result.LiteralBytes);
        Assert.Equal(1, result.FilesTransferred);
    }
}
