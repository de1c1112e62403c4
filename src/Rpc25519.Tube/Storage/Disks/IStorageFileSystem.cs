namespace Rpc25519.Tube.Storage.Disks;

/// <summary>
/// The file operations the write-ahead log needs, and nothing more: the seam between the storage format and a
/// disk. <see cref="PhysicalFileSystem"/> is the real disk; <see cref="SimDisk"/> is an in-memory disk that loses
/// unsynced bytes on a simulated crash, so the same log code is tested under SimNet. Paths are full paths.
/// Implementations are thread-safe.
/// </summary>
public interface IStorageFileSystem
{
    /// <summary>Creates a directory (and its parents) if missing. The creation itself is durable when this
    /// returns.</summary>
    /// <param name="directory">The directory path.</param>
    void CreateDirectory(string directory);

    /// <summary>The names (not paths) of the files in a directory, sorted by ordinal comparison.</summary>
    /// <param name="directory">The directory path.</param>
    /// <returns>A new list owned by the caller.</returns>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Reads a whole file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>A new array owned by the caller.</returns>
    byte[] ReadAllBytes(string path);

    /// <summary>Reads part of a file: up to <paramref name="count"/> bytes from <paramref name="offset"/>, fewer if
    /// the file ends first.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="offset">Where to start, in bytes.</param>
    /// <param name="count">How many bytes at most.</param>
    /// <returns>A new array owned by the caller.</returns>
    byte[] ReadRange(string path, long offset, int count);

    /// <summary>Opens a file for appending at its end.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="createNew">True to create a file that must not exist yet; false to open an existing
    /// one.</param>
    /// <returns>A handle the caller disposes.</returns>
    IStorageFile OpenForAppend(string path, bool createNew);

    /// <summary>Renames a file, replacing the target atomically. Durable only after
    /// <see cref="SyncDirectoryAsync"/>.</summary>
    /// <param name="sourcePath">The existing file.</param>
    /// <param name="targetPath">The new name; replaced if it exists.</param>
    void Rename(string sourcePath, string targetPath);

    /// <summary>Deletes a file if it exists. Durable only after <see cref="SyncDirectoryAsync"/>.</summary>
    /// <param name="path">The file path.</param>
    void Delete(string path);

    /// <summary>Makes creations, renames and deletions in a directory durable (fsync of the directory).</summary>
    /// <param name="directory">The directory path.</param>
    /// <param name="cancellationToken">Cancels before the sync starts.</param>
    /// <returns>A task that completes when the directory is synced.</returns>
    ValueTask SyncDirectoryAsync(string directory, CancellationToken cancellationToken = default);

    /// <summary>Takes an exclusive lock on a lock file (creating it), held until the result is disposed.</summary>
    /// <param name="path">The lock file path.</param>
    /// <returns>The held lock.</returns>
    /// <exception cref="StorageLockedException">Another opener holds the lock.</exception>
    IDisposable Lock(string path);
}
