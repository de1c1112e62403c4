using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>One file the taker wants: an id that names the file in every later message, and its path.</summary>
[MessagePackObject]
public sealed record FileRequest
{
    /// <summary>Names this file in <see cref="FilePlan"/>, <see cref="LiteralChunk"/>, <see cref="FileEnd"/> and <see cref="FileError"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>Path relative to the giver's root.</summary>
    [Key(1)] public string Path { get; init; } = "";
}
