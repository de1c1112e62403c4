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

    /// <summary>Replies by serial, for retries. Sorted, so snapshots are the same bytes on every replica.</summary>
    [Key(4)]
    public SortedDictionary<long, TubeReply> Replies { get; init; } = [];

    [IgnoreMember]
    public long ExpiresAtMs => LastActiveMs + TimeoutMs;

    /// <summary>The client no longer waits for serials below <paramref name="serial"/>: drop their replies.</summary>
    public void ForgetBelow(long serial)
    {
        if (serial <= Floor)
        {
            return;
        }

        Floor = serial;
        while (Replies.Count > 0 && Replies.First().Key < serial)
        {
            Replies.Remove(Replies.First().Key);
        }
    }

    /// <summary>Caches a reply; beyond the bound the oldest goes, and its serial becomes stale.</summary>
    public void Remember(long serial, TubeReply reply, int maxReplies)
    {
        Replies[serial] = reply;
        while (Replies.Count > maxReplies)
        {
            long oldest = Replies.First().Key;
            Replies.Remove(oldest);
            Floor = Math.Max(Floor, oldest + 1);
        }
    }
}
