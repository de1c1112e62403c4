using MessagePack;

namespace Rpc25519.Tube.StateMachines.Sessions;

/// <summary>One client session in the replicated state: its idle timeout, when it was last heard from (log time),
/// and the cached replies of the serials it may still retry.</summary>
[MessagePackObject]
internal sealed class ClientSession
{
    [Key(0)]
    public long Id { get; init; }

    [Key(1)]
    public long TimeoutMs { get; init; }

    [Key(2)]
    public long LastActiveMs { get; set; }

    /// <summary>The lowest serial the session still answers; older serials are stale.</summary>
    [Key(3)]
    public long Floor { get; set; } = 1;

    /// <summary>Replies by serial, for retries. Sorted, so snapshots are the same bytes on every replica. A sorted
    /// list: it holds at most <see cref="StateMachineOptions.MaxCachedRepliesPerSession"/> (64 by default), serials
    /// mostly arrive in order (added at the end) and go from the front, and its oldest is an index away (a sorted
    /// dictionary allocated an enumerator to find it, on every command). Serialized as the same map.</summary>
    [Key(4)]
    public SortedList<long, TubeReply> Replies { get; init; } = [];

    [IgnoreMember]
    public long ExpiresAtMs => LastActiveMs + TimeoutMs;

    /// <summary>Serials at or above <see cref="Floor"/> that were applied but whose reply the bound on cached replies
    /// dropped: a retry of one of them cannot be answered. Any other serial at or above the floor that has no cached
    /// reply was never applied, so it is applied when it arrives, however many newer commands overtook it. (Raising the
    /// floor instead, as this once did, refused a command that was merely slow to arrive while many concurrent
    /// callers of the same session got ahead of it.)</summary>
    [Key(5)]
    public SortedSet<long> Unanswerable { get; init; } = [];

    /// <summary>How many <see cref="Unanswerable"/> serials are kept per cached reply allowed; beyond, the oldest goes
    /// and the floor rises past it (a client that never reports progress cannot grow the state without bound).</summary>
    private const int UnanswerablePerReply = 64;

    /// <summary>The client no longer waits for serials below <paramref name="serial"/>: drop their replies.</summary>
    public void ForgetBelow(long serial)
    {
        if (serial <= Floor)
        {
            return;
        }

        Floor = serial;
        int below = 0;
        while (below < Replies.Count && Replies.GetKeyAtIndex(below) < serial)
        {
            below++;
        }

        RemoveOldest(below);

        while (Unanswerable.Count > 0 && Unanswerable.Min < serial)
        {
            Unanswerable.Remove(Unanswerable.Min);
        }
    }

    /// <summary>Caches a reply; beyond the bound the oldest reply goes and its serial becomes
    /// <see cref="Unanswerable"/>.</summary>
    public void Remember(long serial, TubeReply reply, int maxReplies)
    {
        Replies[serial] = reply;
        int over = Replies.Count - maxReplies;
        for (int i = 0; i < over; i++)
        {
            Unanswerable.Add(Replies.GetKeyAtIndex(i));
        }

        RemoveOldest(over);

        while (Unanswerable.Count > (long)maxReplies * UnanswerablePerReply)
        {
            ForgetBelow(Unanswerable.Min + 1);
        }
    }

    /// <summary>Drops the <paramref name="count"/> oldest cached replies.</summary>
    private void RemoveOldest(int count)
    {
        for (int i = 0; i < count; i++)
        {
            Replies.RemoveAt(0);
        }
    }
}
