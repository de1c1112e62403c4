namespace Rpc25519.JSync;

/// <summary>
/// A path would leave the synced root: it is absolute, contains "..", "." or empty segments, or passes through a
/// symlink. jsync refuses it before touching the file system.
/// </summary>
public sealed class PathEscapeException : JSyncException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public PathEscapeException(string path, string reason)
        : base($"Refused path '{path}': {reason}. Every path must be relative to the synced root and stay inside it; " +
               "use a plain relative path ('dir/file') and do not sync through symlinked directories.")
    {
        RefusedPath = path;
    }

    /// <summary>The path that was refused.</summary>
    public string RefusedPath { get; }
}
