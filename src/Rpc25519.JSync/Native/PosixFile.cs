using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rpc25519.JSync.Native;

/// <summary>
/// The few POSIX calls .NET does not expose: lstat with nanosecond mtime and the file type, utimensat without
/// following links, and fsync of a directory. Linux only (x64 and arm64 share these stat offsets); callers fall back to
/// the .NET APIs elsewhere.
/// </summary>
internal static class PosixFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const long UtimeOmit = (1L << 30) - 2;
    private const int StatBufferSize = 256;
    private const int SizeOffset = 48; // st_size: the same place on x64 and arm64
    private const int MtimeSecOffset = 88;
    private const int MtimeNsecOffset = 96;
    private const uint SyncFileRangeWrite = 2;

    /// <summary>True where these calls are used.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() &&
        (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64);

    /// <summary>The file-type bits of st_mode (S_IFMT).</summary>
    public const int TypeMask = 0xF000;

    /// <summary>S_IFREG.</summary>
    public const int TypeRegular = 0x8000;

    /// <summary>S_IFDIR.</summary>
    public const int TypeDirectory = 0x4000;

    /// <summary>S_IFLNK.</summary>
    public const int TypeSymlink = 0xA000;

    /// <summary>lstat: st_mode and the mtime in ns since the epoch, without following a final symlink.</summary>
    public static bool TryLstat(string path, out int mode, out long mtimeNs) => TryLstat(path, out mode, out mtimeNs, out _);

    /// <summary>lstat: st_mode, the mtime in ns since the epoch and st_size, without following a final symlink.</summary>
    public static bool TryLstat(string path, out int mode, out long mtimeNs, out long size)
    {
        mode = 0;
        mtimeNs = 0;
        size = 0;
        if (!TryLstat(path, out byte[] buffer))
        {
            return false;
        }
        size = BitConverter.ToInt64(buffer, SizeOffset);
        int modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        mode = BitConverter.ToInt32(buffer, modeOffset);
        long sec = BitConverter.ToInt64(buffer, MtimeSecOffset);
        long nsec = BitConverter.ToInt64(buffer, MtimeNsecOffset);
        mtimeNs = (sec * 1_000_000_000L) + nsec;
        return true;
    }

    /// <summary>Sets the mtime (ns) of a path without following a final symlink; atime is left alone.</summary>
    public static bool TrySetMtime(string path, long mtimeNs)
    {
        if (!IsSupported)
        {
            return false;
        }
        long[] times = MtimeOnly(mtimeNs);
        return Utimensat(AtFdCwd, path, times, AtSymlinkNoFollow) == 0;
    }

    /// <summary>The two timespecs of utimensat/futimens: atime omitted, mtime as given (ns since the epoch).</summary>
    private static long[] MtimeOnly(long mtimeNs)
    {
        long sec = Math.DivRem(mtimeNs, 1_000_000_000L, out long nsec);
        if (nsec < 0)
        {
            sec--;
            nsec += 1_000_000_000L;
        }
        return [0, UtimeOmit, sec, nsec];
    }

    /// <summary>Sets the mtime (ns) of an open file (futimens: no path lookup); atime is left alone.</summary>
    public static bool TrySetMtime(SafeFileHandle file, long mtimeNs)
    {
        if (!IsSupported || file.IsInvalid || file.IsClosed)
        {
            return false;
        }
        long[] times = MtimeOnly(mtimeNs);
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return Futimens((int)file.DangerousGetHandle(), times) == 0;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>rename(2): replaces <paramref name="to"/> with <paramref name="from"/> in one call (.NET's File.Move
    /// lstats both paths first). False where not supported or when it failed; the caller then takes the .NET path,
    /// which reports the reason.</summary>
    public static bool TryRename(string from, string to) => IsSupported && Rename(from, to) == 0;

    /// <summary>The st_dev of a path (which file system holds it), without following a final symlink.</summary>
    public static bool TryGetDevice(string path, out ulong device)
    {
        device = 0;
        if (!TryLstat(path, out byte[] buffer))
        {
            return false;
        }
        device = BitConverter.ToUInt64(buffer, 0);
        return true;
    }

    private static bool TryLstat(string path, out byte[] buffer)
    {
        buffer = new byte[StatBufferSize];
        return IsSupported && Lstat(path, buffer) == 0;
    }

    /// <summary>syncfs: makes everything written to the file system holding <paramref name="path"/> durable at once.</summary>
    public static bool TrySyncFileSystem(string path)
    {
        if (!IsSupported)
        {
            return false;
        }
        int fd = Open(path, 0);
        if (fd < 0)
        {
            return false;
        }
        try
        {
            return SyncFs(fd) == 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// sync_file_range(SYNC_FILE_RANGE_WRITE) over the whole file: starts writing its dirty pages to disk and returns
    /// without waiting, so that a later syncfs finds most of the data already written. Only a hint: false where it is
    /// not supported or failed, which changes nothing but speed.
    /// </summary>
    public static bool TryStartWriteback(SafeFileHandle file)
    {
        if (!IsSupported || file.IsInvalid || file.IsClosed)
        {
            return false;
        }
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return SyncFileRange((int)file.DangerousGetHandle(), 0, 0, SyncFileRangeWrite) == 0;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>fsyncs a directory, so that renames and creations in it are durable.</summary>
    public static void FsyncDirectory(string path)
    {
        if (!IsSupported)
        {
            return;
        }
        int fd = Open(path, 0);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory '{path}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // DllImport keeps this project free of unsafe code; the calls are not hot.
    [DllImport("libc", EntryPoint = "lstat", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int Lstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);

    [DllImport("libc", EntryPoint = "utimensat", SetLastError = true)]
    private static extern int Utimensat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, long[] times, int flags);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    [DllImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static extern int Futimens(int fd, long[] times);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(int fd);

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(int fd, long offset, long count, uint flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
#pragma warning restore SYSLIB1054
}
