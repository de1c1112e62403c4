using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Giver → taker: this file could not be sent (vanished, unreadable); the sync goes on with the others.</summary>
[MessagePackObject]
public sealed class FileError : JSyncMessage
{
    /// <summary>The file, as named by its <see cref="FileRequest"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>What went wrong, for the user.</summary>
    [Key(1)] public string Message { get; init; } = "";
}
