namespace Rpc25519.Tube.Raft;

/// <summary>Elections: role transitions, pre-vote, votes, election ticks.</summary>
public sealed partial class RaftNode
{
    /// <summary>Votes received in the current (pre-)campaign, by voter id; true means granted.</summary>
    private readonly SortedDictionary<ulong, bool> votes = [];

    private void BecomeFollower(long term, ulong leader)
    {
        if (term < Term)
        {
            throw new RaftInvariantException($"Node {Id} cannot follow term {term} below its term {Term}.");
        }

        if (term != Term || leader != LeaderId || Role != RaftRole.Follower)
        {
            ForgetLeaderHints();
        }

        if (term != Term)
        {
            Term = term;
            Vote = 0;
        }

        Role = RaftRole.Follower;
        LeaderId = leader;
        stepRole = StepFollower;
        tickRole = TickElection;
        ResetElectionTimer();
        ResetLeaderState();
    }

    /// <summary>Enters <see cref="RaftRole.PreCandidate"/> (same term) or <see cref="RaftRole.Candidate"/> (next
    /// term).</summary>
    private void BecomeCampaigner(RaftRole role)
    {
        if (Role == RaftRole.Leader)
        {
            throw new RaftInvariantException($"Leader {Id} cannot become a {role}.");
        }

        if (role == RaftRole.Candidate)
        {
            Term++;
            Vote = Id;
        }

        Role = role;
        LeaderId = 0;
        ForgetLeaderHints();
        stepRole = StepCandidate;
        tickRole = TickElection;
        ResetElectionTimer();
    }

    private void BecomeLeader()
    {
        if (Role != RaftRole.Candidate)
        {
            throw new RaftInvariantException($"Node {Id} in role {Role} cannot become leader without a real vote.");
        }

        Role = RaftRole.Leader;
        LeaderId = Id;
        ForgetLeaderHints();
        stepRole = StepLeader;
        tickRole = TickLeader;
        ResetElectionTimer();
        ResetLeaderState();

        // Mongo-Raft-Reconfig: a new leader re-stamps its configuration with its term, which orders it after any
        // configuration a deposed leader may have started but not committed.
        Membership = Membership.WithTerm(Term);
        membershipDirty = true;
        SyncProgress();

        // Only entries of the current term commit by counting, so start the term with a no-op.
        log.Append(new LogEntry(Term, log.LastIndex + 1, LogEntryKind.NoOp, ReadOnlyMemory<byte>.Empty));
        MaybeCommit();
    }

    private void TickElection()
    {
        electionElapsed++;
        if (Membership.IsVoter(Id) && electionElapsed >= randomizedElectionTimeout)
        {
            Campaign(preVote: true, transfer: false);
        }
    }

    /// <summary>Starts a pre-vote round, or a real election (after a pre-vote win or on a transfer).</summary>
    private void Campaign(bool preVote, bool transfer)
    {
        if (!Membership.IsVoter(Id))
        {
            return;
        }

        BecomeCampaigner(preVote ? RaftRole.PreCandidate : RaftRole.Candidate);

        votes.Clear();
        if (Tally(Id, granted: true))
        {
            return;
        }

        var type = preVote ? RaftMessageType.PreVote : RaftMessageType.Vote;
        long campaignTerm = preVote ? Term + 1 : Term;
        foreach (ulong voter in Membership.Voters)
        {
            if (voter == Id)
            {
                continue;
            }

            Send(new RaftMessage
            {
                Type = type, To = voter, Term = campaignTerm, LogIndex = log.LastIndex, LogTerm = log.LastTerm,
                Membership = Membership, Transfer = transfer,
            });
        }
    }

    /// <summary>Records a vote; wins or loses the round when a quorum decides. Returns true if the role
    /// changed.</summary>
    private bool Tally(ulong voter, bool granted)
    {
        if (!Membership.IsVoter(voter))
        {
            return false; // Votes only count from voters of this node's own configuration.
        }

        votes.TryAdd(voter, granted);
        int yes = votes.Values.Count(v => v);
        int no = votes.Count - yes;
        if (yes >= Membership.Quorum)
        {
            if (Role == RaftRole.PreCandidate)
            {
                Campaign(preVote: false, transfer: false);
            }
            else
            {
                BecomeLeader();
            }

            return true;
        }

        if (no > Membership.Voters.Count - Membership.Quorum)
        {
            BecomeFollower(Term, 0);
            return true;
        }

        return false;
    }

    private void HandleVoteRequest(RaftMessage message)
    {
        bool preVote = message.Type == RaftMessageType.PreVote;
        bool canVote = Vote == message.From
            || (Vote == 0 && LeaderId == 0)
            || (preVote && message.Term > Term);

        // Mongo-Raft-Reconfig: never vote for a candidate whose configuration is older than ours.
        bool configOk = message.Membership is not null && !Membership.IsNewerThan(message.Membership);
        var responseType = preVote ? RaftMessageType.PreVoteResponse : RaftMessageType.VoteResponse;
        if (canVote && configOk && log.IsUpToDate(message.LogIndex, message.LogTerm))
        {
            Send(new RaftMessage
            {
                Type = responseType, To = message.From, Term = message.Term, Membership = Membership,
            });
            if (!preVote)
            {
                electionElapsed = 0;
                Vote = message.From;
            }
        }
        else
        {
            Send(message.From, responseType, reject: true);
        }
    }

    private void StepCandidate(RaftMessage message)
    {
        switch (message.Type)
        {
            case RaftMessageType.Append or RaftMessageType.Heartbeat or RaftMessageType.SnapshotChunk:
                BecomeFollower(Term, message.From);
                StepFollower(message);
                break;
            case RaftMessageType.PreVoteResponse when Role == RaftRole.PreCandidate:
                // A grant is for the term we would campaign at; an older round's grant is ignored.
                if (message.Reject || message.Term == Term + 1)
                {
                    Tally(message.From, !message.Reject);
                }

                break;
            case RaftMessageType.VoteResponse when Role == RaftRole.Candidate:
                Tally(message.From, !message.Reject);
                break;
        }
    }
}
