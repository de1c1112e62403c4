namespace Rpc25519.Tube.Storage.Disks;

/// <summary>A held lock file on a <see cref="SimDisk"/>; a crash releases it.</summary>
internal sealed class SimLock(SimDisk disk, string path, int generation) : IDisposable
{
    private bool disposed;

    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            disk.Unlock(path, generation);
        }
    }
}
