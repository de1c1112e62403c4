namespace Rpc25519.Tube.Raft;

/// <summary>Linearizable reads without log writes: ReadIndex, lease reads, follower reads.</summary>
public sealed partial class RaftNode
{
    /// <summary>Reads waiting for a quorum round, oldest round first.</summary>
    private readonly Queue<PendingRead> pendingReads = new();

    /// <summary>Reads that arrived before this term's first commit.</summary>
    private readonly List<PendingRead> waitingReads = [];

    /// <summary>The last heartbeat round broadcast for reads in this term.</summary>
    private ulong readRound;

    /// <summary>Lease reads are off for the rest of the term (a transfer was started).</summary>
    private bool leaseBroken;

    /// <summary>
    /// Asks for a linearizable read with a quorum round (ReadIndex, no log write). On a follower the request is
    /// forwarded to the leader. The answer is a <see cref="ReadState"/> in a later <see cref="Ready"/>; a request may
    /// also be lost (leader change, message loss), so the host needs a timeout and a retry.
    /// </summary>
    /// <param name="requestId">The host's id for this read, unique on this node.</param>
    /// <returns>False if it was refused at once (no leader known, or too many pending reads).</returns>
    public bool ReadIndex(ulong requestId) => RequestRead(requestId, lease: false);

    /// <summary>
    /// Like <see cref="ReadIndex"/>, but the leader answers at once while it holds a lease: a quorum acknowledged a
    /// heartbeat sent less than E - <see cref="RaftOptions.LeaseDriftTicks"/> ticks ago. Safe only if tick rates
    /// drift less than that bound. Falls back to a quorum round when there is no lease, when the host has no
    /// <see cref="RaftOptions.HostClock"/>, or while that clock says ticks are owed (not yet delivered).
    /// </summary>
    /// <param name="requestId">The host's id for this read, unique on this node.</param>
    /// <returns>False if it was refused at once.</returns>
    public bool LeaseRead(ulong requestId) => RequestRead(requestId, lease: true);

    private bool RequestRead(ulong requestId, bool lease)
    {
        if (Role == RaftRole.Leader)
        {
            return LeaderRead(Id, requestId, lease);
        }

        if (LeaderId == 0)
        {
            return false;
        }

        Send(new RaftMessage { Type = RaftMessageType.ReadIndex, To = LeaderId, Context = requestId, Lease = lease });
        return true;
    }

    private bool LeaderRead(ulong from, ulong requestId, bool lease)
    {
        if (log.TryTerm(log.Committed) != Term)
        {
            // The read index must cover every entry committed by earlier leaders: wait for our no-op to commit.
            if (waitingReads.Count >= options.PendingReadsMax)
            {
                return false;
            }

            waitingReads.Add(new PendingRead(0, from, requestId, 0, lease));
            return true;
        }

        if ((lease && LeaseValid()) || (Membership.Voters.Count == 1 && Membership.IsVoter(Id)))
        {
            AnswerRead(from, requestId, ReadIndexNow());
            return true;
        }

        if (pendingReads.Count >= options.PendingReadsMax)
        {
            return false;
        }

        pendingReads.Enqueue(new PendingRead(readRound + 1, from, requestId, ReadIndexNow(), lease));
        return true;
    }

    /// <summary>
    /// The index a read started now must see: the commit index, or further, up to the highest durable hint sent in
    /// this term: a follower may have committed (and answered a client for) entries up to a hint before the leader
    /// heard they are committed (RaftNode.DurableHints), and a read must see every write answered before it began.
    /// </summary>
    private long ReadIndexNow() => Math.Max(log.Committed, peersDurableSentMax);

    /// <summary>True while a quorum acknowledged a heartbeat sent less than E - drift ticks ago.</summary>
    private bool LeaseValid()
    {
        if (leaseBroken || !Membership.IsVoter(Id) || TicksOwed() != 0)
        {
            return false;
        }

        int count = Membership.Voters.Count;
        Span<long> acked = count <= 32 ? stackalloc long[count] : new long[count];
        for (int i = 0; i < count; i++)
        {
            ulong voter = Membership.Voters[i];
            acked[i] = voter == Id ? now : progress.TryGetValue(voter, out var pr) ? pr.LeaseTickAcked : 0;
        }

        long quorumTick = QuorumValue(acked, Membership.Quorum);
        return quorumTick > 0 && now < quorumTick + ElectionTimeout - options.LeaseDriftTicks;
    }

    /// <summary>
    /// Ticks the host's clock counted that were not delivered yet (0 when none are owed); -1 without a host clock,
    /// so that no lease is ever trusted on a clock the core cannot check.
    /// </summary>
    private long TicksOwed()
    {
        if (options.HostClock is not { } clock)
        {
            return -1;
        }

        long owed = clock() - now;
        return owed > 0 ? owed : 0;
    }

    private void AnswerRead(ulong from, ulong requestId, long index)
    {
        if (from == Id)
        {
            readStates.Add(new ReadState(requestId, index));
        }
        else
        {
            // The follower serves the read once it has applied up to the index, so it must know the commit index
            // now, not at the next append or heartbeat.
            if (progress.TryGetValue(from, out Progress? pr) && pr.CommitSent < index && OwesCommitNotice(pr))
            {
                SendAppend(from, pr, sendIfEmpty: true);
            }

            Send(new RaftMessage { Type = RaftMessageType.ReadIndexResponse, To = from, Context = requestId,
                LogIndex = index });
        }
    }

    /// <summary>Starts one heartbeat round for all reads queued since the last batch.</summary>
    private void FlushReadRound()
    {
        if (pendingReads.Count > 0 && pendingReads.Last().Round > readRound)
        {
            readRound++;
            BroadcastHeartbeat();
            ReleaseReads();
        }
    }

    /// <summary>Answers the reads whose round a quorum of voters acknowledged.</summary>
    private void ReleaseReads()
    {
        int count = Membership.Voters.Count;
        Span<long> rounds = count <= 32 ? stackalloc long[count] : new long[count];
        for (int i = 0; i < count; i++)
        {
            ulong voter = Membership.Voters[i];
            ulong round = voter == Id ? readRound : progress.TryGetValue(voter, out var pr) ? pr.ReadRoundAcked : 0;
            rounds[i] = (long)round;
        }

        ulong quorumRound = (ulong)QuorumValue(rounds, Membership.Quorum);
        while (pendingReads.Count > 0 && pendingReads.Peek().Round <= quorumRound && quorumRound > 0)
        {
            var read = pendingReads.Dequeue();
            AnswerRead(read.From, read.RequestId, read.Index);
        }
    }

    /// <summary>Serves the reads that waited for this term's first commit.</summary>
    private void ReleaseWaitingReads()
    {
        if (waitingReads.Count == 0 || log.TryTerm(log.Committed) != Term)
        {
            return;
        }

        var waiting = waitingReads.ToArray();
        waitingReads.Clear();
        foreach (var read in waiting)
        {
            LeaderRead(read.From, read.RequestId, read.Lease);
        }
    }
}
