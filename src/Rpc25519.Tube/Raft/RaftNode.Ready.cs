namespace Rpc25519.Tube.Raft;

/// <summary>The output side: Ready batches and Advance.</summary>
public sealed partial class RaftNode
{
    /// <summary>True if <see cref="GetReady"/> would return any work. Flushes pending replication first.</summary>
    /// <returns>Whether a batch is waiting.</returns>
    public bool HasReady()
    {
        if (readyOutstanding)
        {
            return false;
        }

        FlushReplication();
        return outbox.Count > 0 || readStates.Count > 0 || log.HasUnstable || log.HasCommittedToApply
            || membershipDirty || snapshotToInstall is not null || CurrentHardState != handedHardState;
    }

    /// <summary>
    /// Takes the next batch of work. The host must process it in the order documented on <see cref="Ready"/> and then
    /// call <see cref="Advance"/> before asking for another batch. Tick, Step and the request methods may be called
    /// while a batch is out; their effects go into the next batch.
    /// </summary>
    /// <returns>The batch; its lists belong to the host.</returns>
    public Ready GetReady()
    {
        if (readyOutstanding)
        {
            throw new InvalidOperationException("Call Advance for the previous Ready before asking for another.");
        }

        FlushReplication();
        var hardState = CurrentHardState;
        var entries = log.TakeUnstable();
        bool sameTermAndVote = hardState.Term == handedHardState.Term && hardState.VotedFor == handedHardState.VotedFor;
        bool mustSync = entries.Count > 0 || membershipDirty || snapshotToInstall is not null || !sameTermAndVote;
        bool messagesFirst = Role == RaftRole.Leader && sameTermAndVote && !membershipDirty
            && snapshotToInstall is null && outbox.TrueForAll(IsLeaderTraffic);
        var ready = new Ready(
            hardState != handedHardState ? hardState : null,
            membershipDirty ? Membership : null,
            snapshotToInstall,
            entries,
            outbox,
            log.TakeCommitted(options.CommittedEntriesPerReadyMax),
            readStates,
            mustSync,
            messagesFirst);
        handedHardState = hardState;
        membershipDirty = false;
        snapshotToInstall = null;
        outbox = [];
        readStates = [];
        readyOutstanding = true;
        return ready;
    }

    private static bool IsLeaderTraffic(RaftMessage message) => message.Type is RaftMessageType.Append
        or RaftMessageType.Heartbeat or RaftMessageType.SnapshotChunk or RaftMessageType.ReadIndexResponse
        or RaftMessageType.TimeoutNow;

    /// <summary>
    /// Tells the node the host finished <paramref name="ready"/>: everything in it is durable, sent and applied.
    /// The leader then counts its own newly persisted entries toward the commit index.
    /// </summary>
    /// <param name="ready">The batch returned by the last <see cref="GetReady"/>.</param>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (!readyOutstanding)
        {
            throw new InvalidOperationException("Advance was called without an outstanding Ready.");
        }

        readyOutstanding = false;
        log.Advance();
        if (Role == RaftRole.Leader)
        {
            MaybeCommit();
        }
        else
        {
            MaybeCommitFromPeers(); // this node's own copy may just have become durable
        }

        CheckInvariants();
    }
}
