using System.Runtime.InteropServices;

namespace Rpc25519.Tube.Storage.Disks;

/// <summary>
/// A real file open for appending; see <see cref="IStorageFile"/>. One writer at a time. Writes go to
/// <see cref="Length"/> (positional writes), so a <see cref="Reserve"/>d zero tail is overwritten in place. On Linux,
/// <see cref="Reserve"/> is <c>fallocate</c> (mode 0: the size grows) and a sync after writes that stayed inside the
/// file's size is <c>fdatasync</c>, which then has no metadata to write (on ext4 it skips the journal commit an
/// fsync of a growing file needs); any sync after the size changed (growth, truncation, a new file) is a full fsync.
/// Elsewhere, <see cref="Reserve"/> does nothing and every sync is <c>FileStream.Flush(true)</c>.
/// </summary>
internal sealed class PhysicalStorageFile : IStorageFile
{
    private readonly FileStream stream;
    private long position;
    private long size;

    /// <summary>Whether the size changed (or the file is new) since the last sync: then only a full fsync will
    /// do.</summary>
    private bool sizeChanged;

    public PhysicalStorageFile(string path, bool createNew)
    {
        stream = new FileStream(path, createNew ? FileMode.CreateNew : FileMode.Open, FileAccess.ReadWrite,
            FileShare.Read, bufferSize: 0);
        position = size = stream.Length;
        sizeChanged = createNew;
    }

    public long Length => position;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        RandomAccess.Write(stream.SafeFileHandle, bytes, position);
        position += bytes.Length;
        if (position > size)
        {
            size = position;
            sizeChanged = true;
        }
    }

    public void Truncate(long length)
    {
        stream.SetLength(length);
        position = size = length;
        sizeChanged = true;
    }

    public void Reserve(long size)
    {
        if (size <= this.size || !OperatingSystem.IsLinux())
        {
            return;
        }

        if (NativeMethods.fallocate(Descriptor, 0, 0, size) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            const int NotSupported = 95; // EOPNOTSUPP: this file system cannot preallocate; appends grow the file.
            if (errno == NotSupported)
            {
                return;
            }

            throw new IOException($"fallocate of '{stream.Name}' to {size} bytes failed (errno {errno}).");
        }

        this.size = size;
        sizeChanged = true;
    }

    public ValueTask SyncAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (sizeChanged || !OperatingSystem.IsLinux())
        {
            stream.Flush(flushToDisk: true);
        }
        else if (NativeMethods.fdatasync(Descriptor) != 0)
        {
            throw new IOException($"fdatasync of '{stream.Name}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        sizeChanged = false;
        return ValueTask.CompletedTask;
    }

    public void Dispose() => stream.Dispose();

    private int Descriptor => (int)stream.SafeFileHandle.DangerousGetHandle();
}
