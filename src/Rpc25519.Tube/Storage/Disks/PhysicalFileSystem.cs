using System.Runtime.InteropServices;

namespace Rpc25519.Tube.Storage.Disks;

/// <summary>
/// The real disk behind <see cref="IStorageFileSystem"/>. File fsync uses <c>FileStream.Flush(true)</c> and
/// directory fsync opens the directory with libc's <c>open</c> (on Linux and macOS; Windows has no directory
/// fsync and needs none for renames). Both are blocking calls: they run on the calling thread, which is the only
/// place in the storage where a thread waits, and the group commit lets other writers keep queueing meanwhile.
/// The lock file uses <c>FileShare.None</c>, which .NET turns into an advisory <c>flock</c> on Unix.
/// Thread-safe: it holds no state.
/// </summary>
public sealed class PhysicalFileSystem : IStorageFileSystem
{
    /// <summary>The shared instance.</summary>
    public static PhysicalFileSystem Instance { get; } = new();

    /// <inheritdoc />
    public void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows() && Path.GetDirectoryName(Path.GetFullPath(directory)) is { } parent)
        {
            DirectorySync.Sync(parent);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory) =>
        Directory.EnumerateFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList();

    /// <inheritdoc />
    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);

    /// <inheritdoc />
    public byte[] ReadRange(string path, long offset, int count)
    {
        using var handle = File.OpenHandle(path);
        var buffer = new byte[(int)Math.Clamp(RandomAccess.GetLength(handle) - offset, 0, count)];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = RandomAccess.Read(handle, buffer.AsSpan(filled), offset + filled);
            if (read == 0)
            {
                return buffer[..filled];
            }

            filled += read;
        }

        return buffer;
    }

    /// <inheritdoc />
    public IStorageFile OpenForAppend(string path, bool createNew) => new PhysicalStorageFile(path, createNew);

    /// <inheritdoc />
    public void Rename(string sourcePath, string targetPath) => File.Move(sourcePath, targetPath, overwrite: true);

    /// <inheritdoc />
    public void Delete(string path) => File.Delete(path);

    /// <inheritdoc />
    public ValueTask SyncDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!OperatingSystem.IsWindows())
        {
            DirectorySync.Sync(directory);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public IDisposable Lock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StorageLockedException(path, e);
        }
    }

    /// <summary>fsync of a directory through libc, since .NET cannot open a directory as a file.</summary>
    private static class DirectorySync
    {
        public static void Sync(string directory)
        {
            int fd = NativeMethods.open(directory, 0);
            if (fd < 0)
            {
                throw new IOException($"Cannot open directory '{directory}' to fsync it (errno " +
                    $"{Marshal.GetLastPInvokeError()}).");
            }

            try
            {
                if (NativeMethods.fsync(fd) != 0)
                {
                    throw new IOException($"fsync of directory '{directory}' failed (errno " +
                        $"{Marshal.GetLastPInvokeError()}).");
                }
            }
            finally
            {
                _ = NativeMethods.close(fd);
            }
        }
    }
}
