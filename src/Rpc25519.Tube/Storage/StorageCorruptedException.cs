namespace Rpc25519.Tube.Storage;

/// <summary>
/// Thrown when stored data fails its checksum or hash chain anywhere a torn write cannot explain it: the node must
/// not serve from this directory. The message names the file and the byte offset. What to do: restore the
/// directory from a backup, or wipe it and let the node rejoin and catch up from the leader by snapshot.
/// </summary>
public sealed class StorageCorruptedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file holding the bad bytes.</param>
    /// <param name="offset">The byte offset in the file where the bad record or field starts.</param>
    /// <param name="reason">What failed, in a few words.</param>
    public StorageCorruptedException(string filePath, long offset, string reason)
        : base($"Tube storage is corrupted in '{filePath}' at byte offset {offset}: {reason}. Refusing to serve " +
            "from it: restore the directory from a backup, or wipe it and let the node catch up from the leader.")
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>The file holding the bad bytes.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset in <see cref="FilePath"/> where the bad record or field starts.</summary>
    public long Offset { get; }
}
