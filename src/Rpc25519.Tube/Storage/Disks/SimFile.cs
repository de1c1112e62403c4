namespace Rpc25519.Tube.Storage.Disks;

/// <summary>A handle on a <see cref="SimDisk"/> file; dies when the disk crashes.</summary>
internal sealed class SimFile(SimDisk disk, SimInode inode, int generation) : IStorageFile
{
    public long Length => disk.LengthOf(inode);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        disk.Mutate(generation, () => inode.Append(copy));
    }

    public void Truncate(long length) => disk.Mutate(generation, () => inode.Truncate(checked((int)length)));

    public ValueTask SyncAsync(CancellationToken cancellationToken = default) =>
        disk.SyncAsync(inode, generation, cancellationToken);

    public void Dispose()
    {
    }
}
