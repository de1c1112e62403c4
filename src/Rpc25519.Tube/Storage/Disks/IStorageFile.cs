namespace Rpc25519.Tube.Storage.Disks;

/// <summary>
/// A file open for appending, from <see cref="IStorageFileSystem.OpenForAppend"/>. Writes go to the operating
/// system's cache; only <see cref="SyncAsync"/> makes them durable. One writer at a time; dispose when done.
/// </summary>
public interface IStorageFile : IDisposable
{
    /// <summary>Where the next <see cref="Append"/> writes: the bytes written so far, synced or not. Zeros reserved by
    /// <see cref="Reserve"/> beyond it are not counted (when the file is opened, its whole size counts, zeros and
    /// all).</summary>
    long Length { get; }

    /// <summary>Appends bytes at the end. The caller keeps the buffer; it is copied before this returns.</summary>
    /// <param name="bytes">The bytes to write.</param>
    void Append(ReadOnlySpan<byte> bytes);

    /// <summary>Cuts the file to a length (used to drop a torn tail and reserved zeros); <see cref="Length"/> becomes
    /// it. Durable after <see cref="SyncAsync"/>.</summary>
    /// <param name="length">The new length, at most the file's size.</param>
    void Truncate(long length);

    /// <summary>Grows the file's size to at least <paramref name="size"/> with zero bytes after <see cref="Length"/>
    /// (preallocation, <c>fallocate</c>), so that later appends inside it change no file metadata and a sync of them
    /// need not write any (<c>fdatasync</c>). Durable after <see cref="SyncAsync"/>. Where the disk cannot
    /// preallocate, this does nothing. A reader of the file sees the zeros; after a crash they follow the last
    /// durable write, and a write torn by the crash shows zeros from a 512-byte sector boundary on.</summary>
    /// <param name="size">The size to reserve, in bytes from the file's start.</param>
    void Reserve(long size);

    /// <summary>Makes every byte written so far durable (fsync; <c>fdatasync</c> when only data inside the file's
    /// existing size changed since the last sync). On a real disk this blocks the calling thread for
    /// the duration of the fsync: the operating system offers no asynchronous fsync to .NET.</summary>
    /// <param name="cancellationToken">Cancels before the sync starts.</param>
    /// <returns>A task that completes when the data is durable.</returns>
    ValueTask SyncAsync(CancellationToken cancellationToken = default);
}
