using MessagePack;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Taker → giver: the sync is over: counters and per-file errors. The change list (what changed, or would have in a dry
/// run) travels before it in <see cref="ChangeList"/> batches, so here <c>Result.Changes</c> is empty.
/// </summary>
[MessagePackObject]
public sealed class SyncComplete : JSyncMessage
{
    /// <summary>The outcome as the taker saw it.</summary>
    [Key(0)] public SyncResult Result { get; init; } = new();
}
