namespace Rpc25519.Security;

/// <summary>Creates files and directories that only their owner may read, and never replaces an existing
/// file.</summary>
internal static class SecureFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode OwnerAll = OwnerReadWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> with <paramref name="contents"/>; mode 0600 when
    /// <paramref name="ownerOnly"/>, else 0644.</summary>
    /// <exception cref="RpcException">The file already exists or cannot be written.</exception>
    public static void WriteNew(string path, ReadOnlySpan<byte> contents, bool ownerOnly)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ownerOnly
                ? OwnerReadWrite
                : OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(contents);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new RpcException($"Refusing to overwrite existing file '{path}'.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RpcException($"Cannot write '{path}': {e.Message}", e);
        }
    }

    /// <summary>Creates <paramref name="directory"/> (and parents) if missing; a new directory gets mode
    /// 0700.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerAll);
        }
    }
}
