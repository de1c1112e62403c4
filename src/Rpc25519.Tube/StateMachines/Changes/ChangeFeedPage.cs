using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Changes;

/// <summary>The answer to "changes from index N": the changes in log order, or the news that they were compacted
/// away.</summary>
public sealed class ChangeFeedPage
{
    internal ChangeFeedPage(IReadOnlyList<ChangeEvent> changes, long nextIndex)
    {
        Changes = changes;
        NextIndex = nextIndex;
    }

    internal ChangeFeedPage(long requestedIndex, long oldestAvailableIndex, long resyncIndex)
    {
        Changes = [];
        NextIndex = resyncIndex + 1;
        IsCompacted = true;
        RequestedIndex = requestedIndex;
        OldestAvailableIndex = oldestAvailableIndex;
        ResyncIndex = resyncIndex;
    }

    /// <summary>The changes, in log order (every change of an index is in the same page).</summary>
    public IReadOnlyList<ChangeEvent> Changes { get; }

    /// <summary>The index to ask from next time.</summary>
    public long NextIndex { get; }

    /// <summary>True when the changes asked for are gone from the bounded feed: resync at
    /// <see cref="ResyncIndex"/>.</summary>
    public bool IsCompacted { get; }

    /// <summary>When compacted: the index the reader asked for.</summary>
    public long RequestedIndex { get; }

    /// <summary>When compacted: the oldest index the feed still holds every change for.</summary>
    public long OldestAvailableIndex { get; }

    /// <summary>When compacted: read the state as of this applied index, then follow changes from the next one.</summary>
    public long ResyncIndex { get; }

    /// <summary>Throws <see cref="ChangeFeedCompactedException"/> when the page is compacted.</summary>
    /// <returns>This page.</returns>
    public ChangeFeedPage ThrowIfCompacted() => IsCompacted
        ? throw new ChangeFeedCompactedException(RequestedIndex, OldestAvailableIndex, ResyncIndex)
        : this;
}
