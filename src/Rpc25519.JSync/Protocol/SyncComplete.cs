using MessagePack;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Protocol;

/// <summary>Taker → giver: the sync is over; what changed (or would have, in a dry run), counters and per-file errors.</summary>
[MessagePackObject]
public sealed class SyncComplete : JSyncMessage
{
    /// <summary>The outcome as the taker saw it.</summary>
    [Key(0)] public SyncResult Result { get; init; } = new();
}
