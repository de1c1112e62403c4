using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Giver → taker: the bytes of the next literal step of a file.</summary>
[MessagePackObject]
public sealed class LiteralChunk : JSyncMessage
{
    /// <summary>The file, as named by its <see cref="FileRequest"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>The chunk's bytes.</summary>
    [Key(1)] public byte[] Data { get; init; } = [];
}
