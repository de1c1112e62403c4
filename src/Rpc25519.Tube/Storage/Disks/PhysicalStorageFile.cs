namespace Rpc25519.Tube.Storage.Disks;

/// <summary>A real file open for appending; see <see cref="IStorageFile"/>. One writer at a time.</summary>
internal sealed class PhysicalStorageFile : IStorageFile
{
    private readonly FileStream stream;

    public PhysicalStorageFile(string path, bool createNew)
    {
        stream = new FileStream(path, createNew ? FileMode.CreateNew : FileMode.Open, FileAccess.ReadWrite,
            FileShare.Read, bufferSize: 0);
        stream.Seek(0, SeekOrigin.End);
    }

    public long Length => stream.Length;

    public void Append(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

    public void Truncate(long length)
    {
        stream.SetLength(length);
        stream.Seek(0, SeekOrigin.End);
    }

    public ValueTask SyncAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        stream.Flush(flushToDisk: true);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => stream.Dispose();
}
