namespace Rpc25519.Tube.StateMachines.Changes;

/// <summary>
/// The changes applied to the replicated state, in log order, kept in a ring bounded by count and bytes. Readers
/// resume from any index the ring still covers; older ones get a compacted page telling them where to resync. The
/// feed is a cache of recent history, not replicated state: a replica restored from a snapshot starts its feed at
/// the snapshot's index.
/// </summary>
public sealed class ChangeFeed
{
    private readonly ChangeEvent[] ring;
    private readonly long maxBytes;
    private int head;
    private int count;
    private long bytes;

    internal ChangeFeed(int maxEvents, long maxBytes)
    {
        ring = new ChangeEvent[maxEvents];
        this.maxBytes = maxBytes;
    }

    /// <summary>The oldest index from which the feed holds every change.</summary>
    public long OldestAvailableIndex { get; private set; } = 1;

    /// <summary>The index of the last applied entry (the feed is complete up to here).</summary>
    public long LastIndex { get; private set; }

    /// <summary>How many changes the feed holds.</summary>
    public int Count => count;

    /// <summary>Returns the changes from <paramref name="fromIndex"/> on, in log order.</summary>
    /// <param name="fromIndex">The first log index of interest (a previous page's <see cref="ChangeFeedPage.NextIndex"/>).</param>
    /// <param name="maxChanges">At most this many changes, except that the changes of one index are never split.</param>
    /// <param name="filter">Only the changes it matches (null for all); <see cref="ChangeFeedPage.NextIndex"/> still
    /// moves past the changes it skipped.</param>
    /// <returns>The page; <see cref="ChangeFeedPage.IsCompacted"/> when the feed no longer covers
    /// <paramref name="fromIndex"/>.</returns>
    public ChangeFeedPage Read(long fromIndex, int maxChanges = 1000, ChangeFilter? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromIndex, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChanges, 1);
        if (fromIndex < OldestAvailableIndex)
        {
            return new ChangeFeedPage(fromIndex, OldestAvailableIndex, LastIndex);
        }

        var changes = new List<ChangeEvent>();
        for (int i = FirstAtOrAfter(fromIndex); i < count; i++)
        {
            var change = At(i);
            if (filter is not null && !filter.Matches(change))
            {
                continue;
            }

            if (changes.Count >= maxChanges && change.Index != changes[^1].Index)
            {
                return new ChangeFeedPage(changes, change.Index);
            }

            changes.Add(change);
        }

        return new ChangeFeedPage(changes, Math.Max(fromIndex, LastIndex + 1));
    }

    internal void Append(ChangeEvent change)
    {
        if (count == ring.Length)
        {
            Evict();
        }

        ring[(head + count) % ring.Length] = change;
        count++;
        bytes += change.Size;
        while (bytes > maxBytes && count > 1)
        {
            Evict();
        }
    }

    internal void Advance(long index) => LastIndex = index;

    /// <summary>Forgets every change: the feed restarts after <paramref name="index"/> (a snapshot was
    /// restored).</summary>
    internal void Reset(long index)
    {
        Array.Clear(ring);
        head = 0;
        count = 0;
        bytes = 0;
        LastIndex = index;
        OldestAvailableIndex = index + 1;
    }

    private void Evict()
    {
        var oldest = ring[head];
        ring[head] = null!;
        head = (head + 1) % ring.Length;
        count--;
        bytes -= oldest.Size;
        OldestAvailableIndex = Math.Max(OldestAvailableIndex, oldest.Index + 1);
    }

    private ChangeEvent At(int i) => ring[(head + i) % ring.Length];

    private int FirstAtOrAfter(long index)
    {
        int low = 0;
        int high = count;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (At(middle).Index < index)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
