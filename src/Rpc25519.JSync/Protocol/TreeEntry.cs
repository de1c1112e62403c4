using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>One entry of a scanned tree: path relative to the root ('/'-separated, "" for the root), kind and metadata.</summary>
[MessagePackObject]
public sealed record TreeEntry
{
    /// <summary>Relative path with '/' separators; "" is the root itself.</summary>
    [Key(0)] public string Path { get; init; } = "";

    /// <summary>File, directory or symlink.</summary>
    [Key(1)] public EntryKind Kind { get; init; }

    /// <summary>Size in bytes of a regular file; 0 otherwise.</summary>
    [Key(2)] public long Size { get; init; }

    /// <summary>Modification time in nanoseconds since the Unix epoch (100 ns resolution where the OS gives no more).</summary>
    [Key(3)] public long MtimeNs { get; init; }

    /// <summary>Permission bits (rwx for user, group, other, plus setuid, setgid, sticky), as POSIX numbers them.</summary>
    [Key(4)] public int Mode { get; init; }

    /// <summary>The target text of a symlink; null for other kinds.</summary>
    [Key(5)] public string? LinkTarget { get; init; }

    /// <summary>Whole-file BLAKE3, only in checksum mode.</summary>
    [Key(6)] public ChunkHash? FileHash { get; init; }
}
