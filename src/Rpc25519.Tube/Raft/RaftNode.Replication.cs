namespace Rpc25519.Tube.Raft;

/// <summary>Replication: proposals, appends, flow control, heartbeats, commit, check-quorum.</summary>
public sealed partial class RaftNode
{
    /// <summary>The leader's view of every other member (voters and shadows), in id order.</summary>
    private readonly SortedDictionary<ulong, Progress> progress = [];

    /// <summary>The commit index moved; tell followers in the next flush.</summary>
    private bool commitChanged;

    /// <summary>
    /// Appends a command to the leader's log. Replication starts at the next <see cref="GetReady"/>, so every proposal
    /// made between two batches travels in the same messages (batching without any fixed delay).
    /// </summary>
    /// <param name="command">The command bytes; ownership passes to the log (do not change them later).</param>
    /// <returns>Whether the command was appended, and if not, why.</returns>
    public ProposeResult Propose(ReadOnlyMemory<byte> command)
    {
        if (Role != RaftRole.Leader)
        {
            return ProposeResult.NotLeader;
        }

        if (transferee != 0)
        {
            return ProposeResult.TransferInProgress;
        }

        if (log.LastIndex - log.Committed >= options.UncommittedEntriesMax)
        {
            return ProposeResult.Throttled;
        }

        log.Append(new LogEntry(Term, log.LastIndex + 1, LogEntryKind.Command, command));
        return ProposeResult.Accepted;
    }

    private void TickLeader()
    {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= ElectionTimeout)
        {
            electionElapsed = 0;
            if (!QuorumActive())
            {
                BecomeFollower(Term, 0); // Check-quorum: we lost contact with a quorum.
                return;
            }
        }

        if (transferee != 0 && ++transferElapsed >= ElectionTimeout)
        {
            transferee = 0; // The transfer did not finish in one election timeout; accept proposals again.
        }

        if (heartbeatElapsed >= options.HeartbeatTicks)
        {
            heartbeatElapsed = 0;
            BroadcastHeartbeat();
        }
    }

    /// <summary>True if a quorum of voters was heard since the last round; clears the marks for the next
    /// round.</summary>
    private bool QuorumActive()
    {
        int active = Membership.IsVoter(Id) ? 1 : 0;
        foreach (var (peer, pr) in progress)
        {
            if (pr.RecentActive && Membership.IsVoter(peer))
            {
                active++;
            }

            pr.RecentActive = false;
        }

        return active >= Membership.Quorum;
    }

    private void StepLeader(RaftMessage message)
    {
        if (IsFromLeader(message))
        {
            throw new RaftInvariantException($"Two leaders in term {Term}: {Id} and {message.From}.");
        }

        if (message.Type == RaftMessageType.ReadIndex)
        {
            LeaderRead(message.From, message.Context, message.Lease);
            return;
        }

        if (!progress.TryGetValue(message.From, out var pr))
        {
            return; // Not a member of our configuration.
        }

        pr.RecentActive = true;
        if (message.Membership is not null)
        {
            pr.ReportedConfig = message.Membership;
        }

        switch (message.Type)
        {
            case RaftMessageType.AppendResponse:
                HandleAppendResponse(message, pr);
                break;
            case RaftMessageType.HeartbeatResponse:
                HandleHeartbeatResponse(message, pr);
                break;
            case RaftMessageType.SnapshotChunkResponse:
                HandleChunkResponse(message, pr);
                break;
        }

        MaybeStepDownRemoved();
    }

    private void HandleAppendResponse(RaftMessage message, Progress pr)
    {
        if (message.Reject)
        {
            // Fast conflict resolution: skip back over the whole conflicting term in one step.
            long guess = message.LogTerm > 0
                ? log.FindConflictByTerm(message.RejectHint, message.LogTerm)
                : message.RejectHint;
            if (pr.MaybeDecrease(message.LogIndex, guess))
            {
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                    pr.Next = Math.Max(Math.Min(message.LogIndex, guess + 1), pr.Match + 1);
                }

                SendAppend(message.From, pr, sendIfEmpty: true);
            }

            return;
        }

        pr.FreeTo(message.LogIndex);
        if (!pr.MaybeUpdate(message.LogIndex))
        {
            return;
        }

        if (pr.State == ProgressState.Probe)
        {
            pr.BecomeReplicate();
        }
        else if (pr.State == ProgressState.Snapshot && pr.Match >= pr.Snapshot!.Index)
        {
            pr.BecomeProbe();
        }

        MaybeCommit();
        if (message.From == transferee && pr.Match == log.LastIndex)
        {
            SendTimeoutNow(message.From);
        }
    }

    private void HandleHeartbeatResponse(RaftMessage message, Progress pr)
    {
        pr.LeaseTickAcked = Math.Max(pr.LeaseTickAcked, message.LeaderTick);
        if (message.Context > pr.ReadRoundAcked)
        {
            pr.ReadRoundAcked = message.Context;
            ReleaseReads();
        }

        if (pr.State == ProgressState.Snapshot)
        {
            SendChunk(message.From, pr); // Retransmit: chunks are idempotent.
            return;
        }

        // The answer carries the follower's last (index, term). If our log has the same pair there, log matching
        // says everything up to it is identical, so replication can start right there: a lagging follower is
        // streamed to after one heartbeat round trip instead of being probed first.
        bool matches = log.MatchTerm(message.LogIndex, message.LogTerm);
        if (message.LogIndex > pr.Match && matches)
        {
            pr.MaybeUpdate(message.LogIndex);
            if (pr.State == ProgressState.Probe)
            {
                pr.BecomeReplicate();
            }

            MaybeCommit();
        }

        if (pr.State == ProgressState.Replicate && matches && message.LogIndex == pr.Match
            && message.LogIndex < message.SentThrough)
        {
            // Appends sent before this heartbeat never arrived (or were overtaken): resend from the match point
            // now rather than waiting for a rejection.
            pr.BecomeReplicate();
        }
        else if (pr.State == ProgressState.Probe && message.LogIndex + 1 < pr.Next)
        {
            pr.Next = Math.Max(pr.Match + 1, message.LogIndex + 1); // Probe no further than its log goes.
        }

        if (pr.Match < log.LastIndex)
        {
            if (pr.InflightFull)
            {
                pr.FreeFirst();
            }

            pr.ProbeSent = false;
            SendAppend(message.From, pr, sendIfEmpty: true);
        }
    }

    /// <summary>Sends one append to <paramref name="peer"/> if its window allows; returns true if one was
    /// sent.</summary>
    private bool SendAppend(ulong peer, Progress pr, bool sendIfEmpty, bool quiet = false)
    {
        if (pr.IsPaused)
        {
            return false;
        }

        long prevIndex = pr.Next - 1;
        long? prevTerm = log.TryTerm(prevIndex);
        if (prevTerm is null)
        {
            return SendSnapshot(peer, pr); // The entries it needs are compacted away.
        }

        var entries = log.Slice(pr.Next, options.EntriesPerMessageMax, options.EntryBytesPerMessageMax);
        if (entries.Length == 0 && !sendIfEmpty)
        {
            return false;
        }

        long hint = quiet && entries.Length == 0 ? PeersDurableFor(peer) : 0;
        Send(new RaftMessage
        {
            Type = RaftMessageType.Append, To = peer, LogIndex = prevIndex, LogTerm = prevTerm.Value,
            Entries = entries, Commit = log.Committed, Membership = Membership, PeersDurable = hint,
            Quiet = hint > 0,
        });
        pr.CommitSent = Math.Max(pr.CommitSent, log.Committed);
        pr.PeersDurableSent = Math.Max(pr.PeersDurableSent, hint);
        peersDurableSentMax = Math.Max(peersDurableSentMax, hint);
        pr.SentEntries(entries.Length == 0 ? prevIndex : entries[^1].Index, entries.Length);
        return true;
    }

    /// <summary>
    /// Sends everything that is ready to go: pipelined appends up to each window, and the new commit index (in an
    /// empty append if no entries go; not when <see cref="RaftOptions.DeferCommitNotices"/> is set).
    /// Runs when the host asks for a batch, so all work since the last batch shares messages.
    /// </summary>
    private void FlushReplication()
    {
        if (Role != RaftRole.Leader)
        {
            return;
        }

        FlushReadRound();
        foreach (var (peer, pr) in progress)
        {
            bool sent = commitChanged && !options.DeferCommitNotices && SendAppend(peer, pr, sendIfEmpty: true);
            int guard = options.InflightMessagesMax + 1;
            while (pr.State == ProgressState.Replicate && guard-- > 0 && SendAppend(peer, pr, sendIfEmpty: false))
            {
                sent = true;
            }

            if (!sent && pr.State == ProgressState.Probe)
            {
                SendAppend(peer, pr, sendIfEmpty: false);
            }
        }

        commitChanged = false;
    }

    private void BroadcastHeartbeat()
    {
        foreach (var (peer, pr) in progress)
        {
            long commit = Math.Min(pr.Match, log.Committed);
            Send(new RaftMessage
            {
                Type = RaftMessageType.Heartbeat, To = peer, Commit = commit,
                Context = readRound, LeaderTick = now, Membership = Membership, SentThrough = pr.Next - 1,
            });
            pr.CommitSent = Math.Max(pr.CommitSent, commit);
        }
    }

    /// <summary>
    /// True on a leader with <see cref="RaftOptions.DeferCommitNotices"/> while a follower that is being replicated to
    /// has not been sent the current commit index yet. <see cref="SendCommitNotices"/> sends it.
    /// </summary>
    public bool CommitNoticesOwed
    {
        get
        {
            if (Role != RaftRole.Leader)
            {
                return false;
            }

            foreach (Progress pr in progress.Values)
            {
                if (OwesCommitNotice(pr))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Sends an empty append carrying the commit index to every follower in <see cref="CommitNoticesOwed"/>; the
    /// messages go out in the next <see cref="Ready"/>. Does nothing on a follower or when nothing is owed.
    /// </summary>
    public void SendCommitNotices()
    {
        if (Role != RaftRole.Leader)
        {
            return;
        }

        foreach (var (peer, pr) in progress)
        {
            if (OwesCommitNotice(pr))
            {
                SendAppend(peer, pr, sendIfEmpty: true);
            }
        }
    }

    private bool OwesCommitNotice(Progress pr) => options.DeferCommitNotices &&
        pr.State == ProgressState.Replicate && !pr.IsPaused && pr.CommitSent < log.Committed;

    /// <summary>The highest index stored on a quorum of the configuration's voters (this node counts if a
    /// voter).</summary>
    private long QuorumMatch()
    {
        int count = Membership.Voters.Count;
        Span<long> matches = count <= 32 ? stackalloc long[count] : new long[count];
        for (int i = 0; i < count; i++)
        {
            ulong voter = Membership.Voters[i];
            matches[i] = voter == Id ? log.PersistedIndex : progress.TryGetValue(voter, out var pr) ? pr.Match : 0;
        }

        return QuorumValue(matches, Membership.Quorum);
    }

    /// <summary>The value that at least <paramref name="quorum"/> of the entries reach (0 if there are none).</summary>
    private static long QuorumValue(Span<long> values, int quorum)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        values.Sort();
        return values[values.Length - quorum];
    }

    private void MaybeCommit()
    {
        long candidate = QuorumMatch();
        if (candidate > log.Committed && log.TryTerm(candidate) == Term)
        {
            log.CommitTo(candidate);
            commitChanged = true;
            ReleaseWaitingReads();
        }
    }

    /// <summary>Creates progress for new members and drops it for members that left; keeps id order.</summary>
    private void SyncProgress()
    {
        foreach (ulong member in Membership.Members())
        {
            if (member != Id && !progress.ContainsKey(member))
            {
                progress[member] = new Progress(log.LastIndex + 1, options.InflightMessagesMax);
            }
        }

        foreach (ulong gone in progress.Keys.Where(k => !Membership.IsVoter(k) && !Membership.IsShadow(k)).ToList())
        {
            progress.Remove(gone);
        }
    }

    private void StepFollower(RaftMessage message)
    {
        switch (message.Type)
        {
            case RaftMessageType.Append or RaftMessageType.Heartbeat or RaftMessageType.SnapshotChunk:
                electionElapsed = 0;
                LeaderId = message.From;
                if (message.Type == RaftMessageType.Append)
                {
                    HandleAppend(message);
                }
                else if (message.Type == RaftMessageType.Heartbeat)
                {
                    HandleHeartbeat(message);
                }
                else
                {
                    HandleChunk(message);
                }

                break;
            case RaftMessageType.TimeoutNow:
                Campaign(preVote: false, transfer: true);
                break;
            case RaftMessageType.ReadIndexResponse:
                readStates.Add(new ReadState(message.Context, message.LogIndex));
                break;
        }
    }

    private void HandleAppend(RaftMessage message)
    {
        if (message.LogIndex < log.Committed)
        {
            Send(new RaftMessage { Type = RaftMessageType.AppendResponse, To = message.From, LogIndex = log.Committed,
                Membership = Membership });
            return;
        }

        if (log.MatchTerm(message.LogIndex, message.LogTerm))
        {
            long lastNew = log.AppendFromLeader(message.LogIndex, message.Entries);
            log.CommitTo(Math.Min(message.Commit, lastNew));
            leaderMatchedThrough = Math.Max(leaderMatchedThrough, lastNew);
            peersDurable = Math.Max(peersDurable, message.PeersDurable);
            MaybeCommitFromPeers();
            if (!message.Quiet)
            {
                Send(new RaftMessage { Type = RaftMessageType.AppendResponse, To = message.From, LogIndex = lastNew,
                    Membership = Membership });
            }

            return;
        }

        // Reject with a hint: the last index at or before the leader's probe whose term is not newer than the
        // leader's term there. The leader then skips whole terms instead of single entries.
        long hint = log.FindConflictByTerm(Math.Min(message.LogIndex, log.LastIndex), message.LogTerm);
        Send(new RaftMessage
        {
            Type = RaftMessageType.AppendResponse, To = message.From, Reject = true, LogIndex = message.LogIndex,
            RejectHint = hint, LogTerm = log.TryTerm(hint) ?? 0, Membership = Membership,
        });
    }

    private void HandleHeartbeat(RaftMessage message)
    {
        log.CommitTo(Math.Min(message.Commit, log.LastIndex));
        Send(new RaftMessage
        {
            Type = RaftMessageType.HeartbeatResponse, To = message.From, Context = message.Context,
            LeaderTick = message.LeaderTick, Membership = Membership, LogIndex = log.LastIndex, LogTerm = log.LastTerm,
            SentThrough = message.SentThrough,
        });
    }

    /// <summary>Diagnostics for tests: the leader's view of each follower.</summary>
    internal string DescribeProgress() => string.Join(' ', progress.Select(p =>
        $"{p.Key}:{p.Value.State}/m{p.Value.Match}/n{p.Value.Next}{(p.Value.IsPaused ? "/paused" : "")}"
        + $"/off{p.Value.SnapshotOffset}"));
}
