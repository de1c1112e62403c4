using MessagePack;
using Rpc25519.Tube.StateMachines.Changes;

namespace Rpc25519.Tube.Hosting;

/// <summary>A replica's answer to a watch call: the matching changes from the asked index, in log order, and the
/// index to ask from next; or, when the feed no longer covers that index, where to resync.</summary>
[MessagePackObject]
internal sealed class WatchPage
{
    [Key(0)]
    public List<ChangeEvent> Changes { get; init; } = [];

    /// <summary>The index to ask from next; never below the asked index.</summary>
    [Key(1)]
    public long NextIndex { get; init; }

    [Key(2)]
    public bool IsCompacted { get; init; }

    [Key(3)]
    public long RequestedIndex { get; init; }

    [Key(4)]
    public long OldestAvailableIndex { get; init; }

    [Key(5)]
    public long ResyncIndex { get; init; }
}
