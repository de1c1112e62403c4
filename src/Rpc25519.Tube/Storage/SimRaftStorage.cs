using Rpc25519.Tube.Storage.Disks;
using Rpc25519.Tube.Storage.Wal;
namespace Rpc25519.Tube.Storage;

/// <summary>
/// Raft storage on a <see cref="SimDisk"/>: the same log code as <see cref="FileRaftStorage"/>, on a disk that
/// loses unsynced bytes when a test calls <see cref="SimDisk.Crash"/>. After a crash, dispose nothing (the handles
/// are dead) and open a new instance on the same disk and directory. Thread-safety: as <see cref="IRaftStorage"/>
/// says; under SimNet, every continuation runs on the simulation's scheduler.
/// </summary>
public sealed class SimRaftStorage : WalRaftStorage
{
    private SimRaftStorage(WalParts parts)
        : base(parts)
    {
    }

    /// <summary>Opens (or creates) the storage in <see cref="RaftStorageOptions.Directory"/> on a simulated disk,
    /// recovering as <see cref="FileRaftStorage.OpenAsync"/> does.</summary>
    /// <param name="disk">The simulated disk; shared by every node that lives on it.</param>
    /// <param name="options">The settings; validated here.</param>
    /// <param name="cancellationToken">Cancels recovery between steps.</param>
    /// <returns>The open storage.</returns>
    /// <exception cref="StorageLockedException">Another opener holds the directory.</exception>
    /// <exception cref="StorageCorruptedException">Stored data fails its checks.</exception>
    public static async Task<SimRaftStorage> OpenAsync(SimDisk disk, RaftStorageOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(disk);
        return new(await WalRecovery.OpenAsync(disk, options, cancellationToken));
    }
}
