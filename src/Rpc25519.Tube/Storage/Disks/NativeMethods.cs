using System.Runtime.InteropServices;

namespace Rpc25519.Tube.Storage.Disks;

/// <summary>The three libc calls a directory fsync needs.</summary>
internal static class NativeMethods
{
#pragma warning disable CA2101, SYSLIB1054, IDE1006 // libc names; the path is marshalled as UTF-8 explicitly.
    [DllImport("libc", SetLastError = true)]
    internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    internal static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    internal static extern int close(int fd);
#pragma warning restore CA2101, SYSLIB1054, IDE1006
}
