using System.Runtime.InteropServices;

namespace Rpc25519.Tube.Storage.Disks;

/// <summary>The libc calls a directory fsync needs, and Linux's preallocation and data-only sync.</summary>
internal static class NativeMethods
{
#pragma warning disable CA2101, SYSLIB1054, IDE1006 // libc names; the path is marshalled as UTF-8 explicitly.
    [DllImport("libc", SetLastError = true)]
    internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    internal static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    internal static extern int close(int fd);

    /// <summary>Linux only (mode 0 grows the file's size).</summary>
    [DllImport("libc", SetLastError = true)]
    internal static extern int fallocate(int fd, int mode, long offset, long length);

    /// <summary>Linux only.</summary>
    [DllImport("libc", SetLastError = true)]
    internal static extern int fdatasync(int fd);
#pragma warning restore CA2101, SYSLIB1054, IDE1006
}
