namespace Rpc25519.Tube.Storage.Disks;

/// <summary>A handle on a <see cref="SimDisk"/> file; dies when the disk crashes. It writes at its own position,
/// which starts at the file's size.</summary>
internal sealed class SimFile(SimDisk disk, SimInode inode, int generation) : IStorageFile
{
    private int position = disk.SizeOf(inode);

    public long Length => position;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        int at = position;
        disk.Mutate(generation, () => inode.WriteAt(at, copy));
        position += copy.Length;
    }

    public void Truncate(long length)
    {
        int size = checked((int)length);
        disk.Mutate(generation, () => inode.Truncate(size));
        position = size;
    }

    public void Reserve(long size)
    {
        int target = checked((int)size);
        disk.Mutate(generation, () => inode.Reserve(target));
    }

    public ValueTask SyncAsync(CancellationToken cancellationToken = default) =>
        disk.SyncAsync(inode, generation, cancellationToken);

    public void Dispose()
    {
    }
}
