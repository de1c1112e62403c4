using Rpc25519.Tube.Storage.Disks;
using Rpc25519.Tube.Storage.Wal;
namespace Rpc25519.Tube.Storage;

/// <summary>
/// Raft storage in a directory on the real disk (see <see cref="WalRaftStorage"/> for what it does, and
/// docs/tube-storage.md for the format). fsync blocks the thread that runs the group-commit loop, which is the
/// thread of the caller whose flush started it; other writers keep queueing meanwhile. Thread-safety: as
/// <see cref="IRaftStorage"/> says.
/// </summary>
public sealed class FileRaftStorage : WalRaftStorage
{
    private FileRaftStorage(WalParts parts)
        : base(parts)
    {
    }

    /// <summary>Opens (or creates) the storage in <see cref="RaftStorageOptions.Directory"/>, recovering what a
    /// crash left: a torn tail is dropped, corruption before it throws.</summary>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="cancellationToken">Cancels recovery between steps.</param>
    /// <returns>The open storage; dispose it to release the directory.</returns>
    /// <exception cref="StorageLockedException">Another opener holds the directory.</exception>
    /// <exception cref="StorageCorruptedException">Stored data fails its checks; the message names the file and
    /// offset.</exception>
    public static async Task<FileRaftStorage> OpenAsync(RaftStorageOptions options,
        CancellationToken cancellationToken = default) =>
        new(await WalRecovery.OpenAsync(PhysicalFileSystem.Instance, options, cancellationToken));
}
