using MessagePack;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Taker → giver, just before <see cref="SyncComplete"/>: a batch of the change list, so no single message grows with
/// the tree. The giver appends the batches, in order, to the result it returns.
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(ChangeListFormatter))]
public sealed class ChangeList : JSyncMessage
{
    /// <summary>The changes of this batch, in change-list order.</summary>
    [Key(0)] public SyncChange[] Changes { get; init; } = [];
}
