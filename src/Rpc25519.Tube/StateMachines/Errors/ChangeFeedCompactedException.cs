namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>
/// The changes asked for are no longer in the bounded change feed. Read the state as of
/// <see cref="ResyncIndex"/> (a snapshot or a read at that applied index), then ask for changes from
/// <c>ResyncIndex + 1</c>.
/// </summary>
public sealed class ChangeFeedCompactedException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requestedIndex">The index the reader asked to start from.</param>
    /// <param name="oldestAvailableIndex">The oldest index the feed still holds every change for.</param>
    /// <param name="resyncIndex">The applied index to resynchronize at.</param>
    public ChangeFeedCompactedException(long requestedIndex, long oldestAvailableIndex, long resyncIndex)
        : base(TubeErrorCode.ChangeFeedCompacted, $"Changes from index {requestedIndex} were compacted away (the feed holds every change from index " +
               $"{oldestAvailableIndex} on); resync from a snapshot or read at index {resyncIndex}, then ask for " +
               $"changes from index {resyncIndex + 1}.")
    {
        RequestedIndex = requestedIndex;
        OldestAvailableIndex = oldestAvailableIndex;
        ResyncIndex = resyncIndex;
    }

    /// <summary>The index the reader asked to start from.</summary>
    public long RequestedIndex { get; }

    /// <summary>The oldest index the feed still holds every change for.</summary>
    public long OldestAvailableIndex { get; }

    /// <summary>The applied index to resynchronize at.</summary>
    public long ResyncIndex { get; }
}
