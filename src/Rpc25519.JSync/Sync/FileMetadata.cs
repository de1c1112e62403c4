using Rpc25519.JSync.Native;

namespace Rpc25519.JSync.Sync;

/// <summary>Reads and applies mtimes (ns) and permission bits, never following a final symlink.</summary>
internal static class FileMetadata
{
    private const long TicksPerNs = 100;
    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>Permission bits that are synced (rwx for all, setuid, setgid, sticky).</summary>
    public const int ModeMask = 0xFFF;

    /// <summary>The mtime of a path in ns since the epoch (100 ns resolution without lstat).</summary>
    public static long ReadMtimeNs(FileSystemInfo info)
    {
        if (PosixFile.TryLstat(info.FullName, out _, out long ns))
        {
            return ns;
        }
        return (info.LastWriteTimeUtc.Ticks - EpochTicks) * TicksPerNs;
    }

    /// <summary>Sets the mtime of a path. Symlinks get their own mtime where the OS allows it, else none.</summary>
    public static void WriteMtimeNs(string path, long mtimeNs, bool isSymlink)
    {
        if (PosixFile.TrySetMtime(path, mtimeNs))
        {
            return;
        }
        if (isSymlink)
        {
            return; // .NET's setter follows links: better no mtime than the target's.
        }
        var time = new DateTime(EpochTicks + (mtimeNs / TicksPerNs), DateTimeKind.Utc);
        if (Directory.Exists(path))
        {
            Directory.SetLastWriteTimeUtc(path, time);
        }
        else
        {
            File.SetLastWriteTimeUtc(path, time);
        }
    }

    /// <summary>Sets the mode bits and mtime of an open regular file through its handle (fchmod and futimens: no path
    /// lookups), falling back to the path where the handle calls are not available.</summary>
    public static void WriteModeAndMtime(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, int mode, long mtimeNs)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, (UnixFileMode)(mode & ModeMask));
        }
        if (!PosixFile.TrySetMtime(file, mtimeNs))
        {
            WriteMtimeNs(path, mtimeNs, isSymlink: false);
        }
    }

    /// <summary>True when two mtimes are equal at the resolution every platform keeps (100 ns).</summary>
    public static bool SameMtime(long a, long b) => a / TicksPerNs == b / TicksPerNs;

    /// <summary>The permission bits of an entry (0 on Windows).</summary>
    public static int ReadMode(FileSystemInfo info) =>
        OperatingSystem.IsWindows() ? 0 : (int)info.UnixFileMode & ModeMask;

    /// <summary>Applies permission bits (not on symlinks, not on Windows).</summary>
    public static void WriteMode(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)(mode & ModeMask));
        }
    }

    /// <summary>True where <see cref="SyncFileSystems"/> works, so rebuilt files need no fsync each.</summary>
    public static bool CanSyncFileSystem => PosixFile.IsSupported;

    /// <summary>
    /// Makes every write under <paramref name="directories"/> durable with one syncfs per file system (one call
    /// instead of an fsync per file: the temp files of a whole sync become durable before any is renamed).
    /// </summary>
    /// <exception cref="IOException">syncfs failed: nothing may be renamed.</exception>
    public static void SyncFileSystems(IEnumerable<string> directories)
    {
        var done = new HashSet<ulong>();
        foreach (string directory in directories)
        {
            if (PosixFile.TryGetDevice(directory, out ulong device) && !done.Add(device))
            {
                continue;
            }
            if (!PosixFile.TrySyncFileSystem(directory))
            {
                throw new IOException($"syncfs under '{directory}' failed; the rebuilt files were not renamed into place. Check the disk and run the sync again.");
            }
        }
    }

    /// <summary>fsyncs a directory where the OS supports it.</summary>
    public static void FsyncDirectory(string path) => PosixFile.FsyncDirectory(path);
}
