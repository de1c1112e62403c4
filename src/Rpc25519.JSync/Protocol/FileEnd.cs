using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>Giver → taker: a file's plan is complete; the rebuilt file must have this size and BLAKE3.</summary>
[MessagePackObject]
public sealed class FileEnd : JSyncMessage
{
    /// <summary>The file, as named by its <see cref="FileRequest"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>Size in bytes.</summary>
    [Key(1)] public long Size { get; init; }

    /// <summary>Whole-file BLAKE3 of what the giver read.</summary>
    [Key(2)] public ChunkHash FileHash { get; init; }

    /// <summary>Permission bits to apply.</summary>
    [Key(3)] public int Mode { get; init; }

    /// <summary>Modification time to apply, ns since the Unix epoch.</summary>
    [Key(4)] public long MtimeNs { get; init; }
}
