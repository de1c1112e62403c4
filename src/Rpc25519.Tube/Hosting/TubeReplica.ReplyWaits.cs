using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// Follower replies: a client whose write is the only one it has in flight sends it to the leader and asks one
/// follower for the reply as well. The leader sends durable notices after its own write
/// (<see cref="RaftNode.SendDurableNotices"/>); the follower then commits the entry as soon as its own copy is durable,
/// applies it, and answers from the session's cached reply, one network hop before the leader's answer could arrive.
/// A wait that cannot be answered here (the reply is gone, the wait ran out, too many waits) is answered without a
/// reply and the client keeps waiting for the leader's.
/// </summary>
public sealed partial class TubeReplica
{
    private readonly List<ParkedReplyWait> replyWaits = [];
    private long replyWaitsServedAt = -1;

    /// <summary>Leader: the last index proposed for a client that also waits on a follower; durable notices are sent
    /// while it is not committed.</summary>
    private long durableNoticesThrough;

    /// <summary>Leader: the member that client waits on (0: unknown, notify every follower).</summary>
    private ulong durableNoticesTo;

    /// <summary>How many reply waits this replica answered with a reply (for tests and diagnostics).</summary>
    private long followerRepliesSent;

    /// <summary>For tests: how many waits are held, and how many were answered with a reply.</summary>
    internal Task<(int Parked, long RepliesSent)> GetReplyWaitStatsAsync() =>
        InspectAsync(() => (replyWaits.Count, followerRepliesSent), CancellationToken.None);

    private void AwaitReply(TubeRequest request, TaskCompletionSource<TubeResponse> completion)
    {
        if (request.SessionId < 1 || request.Serial < 1)
        {
            completion.TrySetResult(Refused(TubeErrorCode.InvalidCommand,
                "a reply wait needs a session id and a serial of at least 1"));
            return;
        }

        TimeSpan wait = TimeSpan.FromMilliseconds(Math.Clamp(request.WaitMs, 0,
            (long)options.ReadTimeout.TotalMilliseconds));
        var parked = new ParkedReplyWait(request.SessionId, request.Serial, completion, time.GetUtcNow() + wait);
        if (TryAnswerReplyWait(parked))
        {
            return;
        }

        if (replyWaits.Count >= options.MaxReplyWaiters)
        {
            completion.TrySetResult(NoReplyHere());
            return;
        }

        replyWaits.Add(parked);
    }

    /// <summary>After an apply batch: answers the waits whose command this replica has now applied.</summary>
    private void ServeReplyWaits()
    {
        if (replyWaits.Count > 0 && machines.AppliedIndex != replyWaitsServedAt)
        {
            replyWaitsServedAt = machines.AppliedIndex;
            replyWaits.RemoveAll(TryAnswerReplyWait);
        }
    }

    private void ExpireReplyWaits()
    {
        if (replyWaits.Count == 0)
        {
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        replyWaits.RemoveAll(wait =>
        {
            if (wait.Deadline > now && !wait.Completion.Task.IsCompleted)
            {
                return false;
            }

            wait.Completion.TrySetResult(NoReplyHere());
            return true;
        });
    }

    private bool TryAnswerReplyWait(ParkedReplyWait wait)
    {
        switch (machines.FindCachedReply(wait.SessionId, wait.Serial, out byte[]? reply))
        {
            case CachedReplyState.Applied:
                followerRepliesSent++;
                wait.Completion.TrySetResult(new TubeResponse { Reply = reply, LeaderId = node.LeaderId });
                return true;
            case CachedReplyState.Gone:
                wait.Completion.TrySetResult(NoReplyHere());
                return true;
            default:
                return false;
        }
    }

    /// <summary>The id of the member at <paramref name="address"/>, or 0.</summary>
    private ulong IdOf(string? address)
    {
        foreach (var (id, known) in members)
        {
            if (known == address)
            {
                return id;
            }
        }

        return 0;
    }

    /// <summary>An answer without a reply: the client relies on the leader's.</summary>
    private TubeResponse NoReplyHere() => new() { LeaderId = node.LeaderId };

    /// <summary>Leader, after each batch: while a write whose client waits on a follower is not committed, tells the
    /// followers how far the others hold the log durably (the node sends only what is new).</summary>
    private void SendAwaitedDurableNotices()
    {
        if (node.Role == RaftRole.Leader && durableNoticesThrough > node.CommitIndex)
        {
            node.SendDurableNotices(durableNoticesTo);
        }
    }
}
