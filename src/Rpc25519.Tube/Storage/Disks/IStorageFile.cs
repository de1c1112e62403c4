namespace Rpc25519.Tube.Storage.Disks;

/// <summary>
/// A file open for appending, from <see cref="IStorageFileSystem.OpenForAppend"/>. Writes go to the operating
/// system's cache; only <see cref="SyncAsync"/> makes them durable. One writer at a time; dispose when done.
/// </summary>
public interface IStorageFile : IDisposable
{
    /// <summary>The current length in bytes, synced or not.</summary>
    long Length { get; }

    /// <summary>Appends bytes at the end. The caller keeps the buffer; it is copied before this returns.</summary>
    /// <param name="bytes">The bytes to write.</param>
    void Append(ReadOnlySpan<byte> bytes);

    /// <summary>Cuts the file to a length (used to drop a torn tail). Durable after <see cref="SyncAsync"/>.</summary>
    /// <param name="length">The new length, at most <see cref="Length"/>.</param>
    void Truncate(long length);

    /// <summary>Makes every byte written so far durable (fsync). On a real disk this blocks the calling thread for
    /// the duration of the fsync: the operating system offers no asynchronous fsync to .NET.</summary>
    /// <param name="cancellationToken">Cancels before the sync starts.</param>
    /// <returns>A task that completes when the data is durable.</returns>
    ValueTask SyncAsync(CancellationToken cancellationToken = default);
}
