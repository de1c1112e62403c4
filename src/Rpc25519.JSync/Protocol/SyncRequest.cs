using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>The initiator's first message: which role it plays, which path under the responder's root, and how.</summary>
[MessagePackObject]
public sealed class SyncRequest : JSyncMessage
{
    /// <summary>The initiator's role; the responder plays the other one. Giver = push, Taker = pull.</summary>
    [Key(0)] public SyncRole InitiatorRole { get; init; }

    /// <summary>The path on the responder, relative to the root it serves ("" is the root itself).</summary>
    [Key(1)] public string Path { get; init; } = "";

    /// <summary>The options both sides use.</summary>
    [Key(2)] public SyncOptions Options { get; init; } = new();
}
