namespace Rpc25519.Tube.Storage;

/// <summary>
/// Thrown by every call after a write or fsync failed. After a failed fsync the operating system may have dropped
/// the dirty pages, so nothing written since the last good fsync can be trusted to be on disk. What to do: dispose
/// the storage and reopen it (recovery reads back what really is on disk), or stop the node.
/// </summary>
public sealed class StorageFailedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="directory">The storage directory.</param>
    /// <param name="inner">The write or fsync error.</param>
    public StorageFailedException(string directory, Exception inner)
        : base($"A write or fsync in the Tube storage directory '{directory}' failed ({inner?.Message}); nothing " +
            "written since the last good fsync can be trusted. Dispose the storage and reopen it, or stop the node.",
            inner)
    {
        Directory = directory;
    }

    /// <summary>The storage directory.</summary>
    public string Directory { get; }
}
