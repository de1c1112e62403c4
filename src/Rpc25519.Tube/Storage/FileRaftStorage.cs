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

    /// <summary>Checks the storage in <paramref name="directory"/> as opening it would (the snapshot's hash; from
    /// the newest checkpoint on, every segment present and every record's CRCs and chain hash, the snapshot file
    /// against the last checkpoint), without opening it: no lock is taken and no file is changed, so it also runs
    /// beside a stopped or crashed node's files.</summary>
    /// <param name="directory">The storage directory.</param>
    /// <param name="recordBytesMax">Longer records count as corruption (as <see cref="RaftStorageOptions.RecordBytesMax"/>).</param>
    /// <returns>What was checked.</returns>
    /// <exception cref="StorageCorruptedException">A check failed; the message names the file, the offset and the
    /// check (a chain break, a bad CRC, a missing segment, a bad snapshot hash).</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recordBytesMax"/> is outside the range
    /// <see cref="RaftStorageOptions.RecordBytesMax"/> allows (4,096 bytes to 2 GiB).</exception>
    public static WalVerification Verify(string directory, long recordBytesMax = 1L << 30)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(recordBytesMax, 4096);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recordBytesMax, int.MaxValue - 4096);
        return WalVerifier.Verify(PhysicalFileSystem.Instance, directory, recordBytesMax);
    }
}
