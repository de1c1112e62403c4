namespace Rpc25519.Tube.Storage;

/// <summary>
/// Thrown when a storage directory is already open, by this process or another: two writers would interleave
/// their logs. What to do: stop the other node using the directory, or give this one its own directory.
/// </summary>
public sealed class StorageLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="lockPath">The lock file that is held.</param>
    /// <param name="inner">The error from the file system, if any.</param>
    public StorageLockedException(string lockPath, Exception? inner)
        : base($"The Tube storage directory is in use: the lock file '{lockPath}' is held by another opener. " +
            "Stop the other node using this directory, or give this node its own directory.", inner)
    {
        LockPath = lockPath;
    }

    /// <summary>The lock file that is held.</summary>
    public string LockPath { get; }
}
