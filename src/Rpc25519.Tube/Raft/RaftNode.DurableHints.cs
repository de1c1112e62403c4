namespace Rpc25519.Tube.Raft;

/// <summary>
/// Commit without the leader's word: when its host asks (<see cref="SendDurableNotices"/>, after the leader's own
/// write), a leader tells voters in a durable notice how far the other voters (a quorum less one) hold its log durably
/// (<see cref="RaftMessage.PeersDurable"/>); a follower whose own durable log matches the leader's that far knows those
/// entries are stored on a quorum and commits the ones of the current term itself. A lone write can then commit on a
/// follower about one network hop before the leader hears of it, so that follower can answer the client. Reads on the
/// leader take at least the highest hint sent as their index, so they see such writes too; without notices, nothing
/// changes (no hint, reads at the commit index).
/// </summary>
/// <remarks>
/// Safe because it is the leader's own commit rule applied to facts that cannot be undone within a term: durable
/// copies on the leader, copies the leader saw acknowledged, and the follower's own. These guards keep it so: only an
/// entry of the current term commits by counting; the hints and the log match are forgotten whenever the term or the
/// leader changes; and a leader refuses membership changes until its own commit index covers every hint it sent, so
/// a hint never outlives the configuration it was counted in.
/// </remarks>
public sealed partial class RaftNode
{
    /// <summary>Follower: the highest index known to be identical to the current leader's log (this term).</summary>
    private long leaderMatchedThrough;

    /// <summary>Follower: the highest <see cref="RaftMessage.PeersDurable"/> the current leader sent (this term).</summary>
    private long peersDurable;

    /// <summary>Leader: the highest <see cref="RaftMessage.PeersDurable"/> sent to anyone in this term.</summary>
    private long peersDurableSentMax;

    /// <summary>
    /// Leader: sends an empty, <see cref="RaftMessage.Quiet"/> append to each voter (or only to
    /// <paramref name="onlyTo"/>) that has not acknowledged entries the other voters already hold durably, so that it
    /// can commit them as soon as its own copy is durable. A host calls this after its own write of a command whose
    /// client waits on a follower; nothing else sends a hint.
    /// </summary>
    /// <param name="onlyTo">The one follower to notify, or 0 for every voter.</param>
    public void SendDurableNotices(ulong onlyTo = 0)
    {
        if (Role != RaftRole.Leader)
        {
            return;
        }

        foreach (var (peer, pr) in progress)
        {
            long hint = PeersDurableFor(peer);
            if ((onlyTo == 0 || peer == onlyTo) && pr.State == ProgressState.Replicate && hint > pr.PeersDurableSent
                && pr.Match < hint)
            {
                SendAppend(peer, pr, sendIfEmpty: true, quiet: true);
            }
        }
    }

    /// <summary>The highest index that a quorum of voters less one, other than <paramref name="peer"/>, hold durably;
    /// 0 when <paramref name="peer"/> is not a voter or a lone voter needs no one else.</summary>
    private long PeersDurableFor(ulong peer)
    {
        int others = Membership.Quorum - 1;
        if (others < 1 || !Membership.IsVoter(peer))
        {
            return 0;
        }

        int count = Membership.Voters.Count - 1;
        Span<long> durable = count <= 32 ? stackalloc long[count] : new long[count];
        int i = 0;
        foreach (ulong voter in Membership.Voters)
        {
            if (voter != peer)
            {
                durable[i++] = voter == Id ? log.PersistedIndex : progress.TryGetValue(voter, out var pr) ? pr.Match : 0;
            }
        }

        return QuorumValue(durable, others);
    }

    /// <summary>Follower: commits what the leader's hint and this node's own durable, matching log cover together,
    /// if it is of the current term.</summary>
    private void MaybeCommitFromPeers()
    {
        if (Role != RaftRole.Follower || LeaderId == 0)
        {
            return;
        }

        long candidate = Math.Min(peersDurable, Math.Min(leaderMatchedThrough, log.PersistedIndex));
        if (candidate > log.Committed && log.TryTerm(candidate) == Term)
        {
            log.CommitTo(candidate);
        }
    }

    /// <summary>Forgets the hints and the log match of the previous leader or term.</summary>
    private void ForgetLeaderHints()
    {
        leaderMatchedThrough = 0;
        peersDurable = 0;
        peersDurableSentMax = 0;
    }
}
