using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Either way: the sync cannot go on (refused path, read-only server, protocol violation).</summary>
[MessagePackObject]
public sealed class SyncError : JSyncMessage
{
    /// <summary>What went wrong and what to do about it.</summary>
    [Key(0)] public string Message { get; init; } = "";
}
