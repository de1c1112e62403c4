using Rpc25519.JSync.Native;

namespace Rpc25519.JSync.Safety;

/// <summary>
/// Confines relative paths to a root. Every path that arrives from the other side, or from a user, goes through
/// <see cref="Resolve"/> before any file-system call.
/// </summary>
public static class SafePath
{
    /// <summary>
    /// Checks the syntax of a relative path: '/'-separated, not rooted, no empty, "." or ".." segments, no NUL.
    /// "" (the root itself) is allowed.
    /// </summary>
    /// <exception cref="PathEscapeException">The path is not a plain relative path.</exception>
    public static void Validate(string relative)
    {
        if (relative.Length == 0)
        {
            return;
        }
        if (relative.Contains('\0'))
        {
            throw new PathEscapeException(relative, "it contains a NUL character");
        }
        if (relative[0] == '/' || Path.IsPathRooted(relative))
        {
            throw new PathEscapeException(relative, "it is absolute");
        }
        if (OperatingSystem.IsWindows() && (relative.Contains('\\') || relative.Contains(':')))
        {
            throw new PathEscapeException(relative, "it contains '\\' or ':'");
        }
        foreach (string segment in relative.Split('/'))
        {
            if (segment == "..")
            {
                throw new PathEscapeException(relative, "it contains '..'");
            }
            if (segment.Length == 0 || segment == ".")
            {
                throw new PathEscapeException(relative, "it contains an empty or '.' segment");
            }
        }
    }

    /// <summary>
    /// The full path of <paramref name="relative"/> under <paramref name="root"/>, after checking its syntax and that
    /// no existing directory on the way is a symlink (jsync never writes or reads through a link, even one that points
    /// back inside the root). The last segment may itself be a symlink: it is replaced or read as a link, not followed.
    /// </summary>
    /// <exception cref="PathEscapeException">The path is not plain, or a parent is a symlink.</exception>
    public static string Resolve(string root, string relative)
    {
        Validate(relative);
        if (relative.Length == 0)
        {
            return root;
        }
        string[] segments = relative.Split('/');
        string current = root;
        for (int i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Join(current, segments[i]);
            if (PosixFile.IsSupported && !(PosixFile.TryLstat(current, out int mode, out _) && (mode & PosixFile.TypeMask) == PosixFile.TypeSymlink))
            {
                continue; // one lstat says it is no link (or nothing): the common case costs one call, not three
            }
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if (info.LinkTarget is { } target)
                {
                    throw new PathEscapeException(relative,
                        $"its parent '{string.Join('/', segments[..(i + 1)])}' is a symlink to '{target}'");
                }
            }
            else if (info.LinkTarget is { } dangling)
            {
                throw new PathEscapeException(relative,
                    $"its parent '{string.Join('/', segments[..(i + 1)])}' is a dangling symlink to '{dangling}'");
            }
        }
        return Path.Join(current, segments[^1]);
    }

    /// <summary>Joins a parent relative path and a name ("" parent means the root).</summary>
    public static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    /// <summary>The parent of a relative path ("" for top-level entries and for the root).</summary>
    public static string Parent(string relative)
    {
        int slash = relative.LastIndexOf('/');
        return slash < 0 ? "" : relative[..slash];
    }
}
