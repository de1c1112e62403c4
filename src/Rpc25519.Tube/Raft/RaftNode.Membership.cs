namespace Rpc25519.Tube.Raft;

/// <summary>Membership (Mongo-Raft-Reconfig, config outside the log) and leadership transfer.</summary>
public sealed partial class RaftNode
{
    /// <summary>The voter a leadership transfer is handing over to, or 0.</summary>
    private ulong transferee;

    /// <summary>Ticks since the transfer started; it is abandoned after one election timeout.</summary>
    private int transferElapsed;

    /// <summary>
    /// Leader only: changes the configuration by exactly one server. Accepted only when the paper's conditions hold:
    /// the current configuration is reported by a quorum of its own voters in this term (it is committed), an entry
    /// of this term is committed (so every earlier committed entry is, too), and that commit point is stored on a
    /// quorum of the current configuration. The new configuration is installed at once and spreads with every
    /// message; a removed voter becomes a shadow; a leader that removes itself steps down once the change commits.
    /// </summary>
    /// <param name="kind">The single-server change.</param>
    /// <param name="nodeId">The server to add, remove, promote or demote.</param>
    /// <returns>Whether the change was installed, and if not, why.</returns>
    public MembershipChangeResult ProposeMembershipChange(MembershipChangeKind kind, ulong nodeId)
    {
        if (Role != RaftRole.Leader)
        {
            return MembershipChangeResult.NotLeader;
        }

        var next = nodeId == 0 ? null : Membership.Apply(kind, nodeId, Term);
        if (next is null || next.Voters.Count == 0)
        {
            return MembershipChangeResult.Invalid;
        }

        bool termCommitted = log.TryTerm(log.Committed) == Term;
        // A voter may commit by a hint counted in the current configuration; the change waits until the leader's own
        // commit index covers every hint it sent (RaftNode.DurableHints).
        if (transferee != 0 || !ConfigCommitted() || !termCommitted || QuorumMatch() < log.Committed
            || log.Committed < peersDurableSentMax)
        {
            return MembershipChangeResult.NotReady;
        }

        InstallMembership(next);
        return MembershipChangeResult.Accepted;
    }

    /// <summary>
    /// UNSAFE rescue for a cluster that lost quorum: installs the given member sets on this node without any of the
    /// safety checks, stamped newer than its current configuration. Committed entries can be lost and configurations
    /// can diverge; use only when the lost servers are gone for good, on one surviving node, then let it elect.
    /// </summary>
    /// <param name="voters">The new voters.</param>
    /// <param name="shadows">The new shadows.</param>
    public void ForceMembership(IEnumerable<ulong> voters, IEnumerable<ulong> shadows)
    {
        var forced = new Membership(voters, shadows, Math.Max(Term, Membership.Term), Membership.Version + 1);
        if (Role == RaftRole.Leader)
        {
            InstallMembership(forced);
        }
        else
        {
            Membership = forced;
            membershipDirty = true;
        }
    }

    /// <summary>
    /// UNSAFE rescue: forgets this node's configuration, as if it had never joined. It installs the empty
    /// configuration with the oldest stamp (term 0, version 0), so the node stops leading (a leader steps down),
    /// never campaigns, and adopts the next configuration any leader sends it. Use it on a node whose configuration
    /// is stale or diverged (after a forced change elsewhere); then add it again through the leader.
    /// </summary>
    public void ClearMembership()
    {
        if (Role != RaftRole.Follower)
        {
            BecomeFollower(Term, 0);
        }

        Membership = Membership.Empty;
        membershipDirty = true;
    }

    /// <summary>
    /// Leader only: hands leadership to <paramref name="target"/> (a voter). Proposals are refused while the transfer
    /// runs; once the target's log is complete it gets a TimeoutNow and campaigns at once. Lease reads stop for the
    /// rest of this term. The transfer is abandoned after one election timeout.
    /// </summary>
    /// <param name="target">The voter that should become leader.</param>
    /// <returns>True if the transfer started.</returns>
    public bool TransferLeadership(ulong target)
    {
        if (Role != RaftRole.Leader || target == Id || !Membership.IsVoter(target)
            || !progress.TryGetValue(target, out var pr))
        {
            return false;
        }

        transferee = target;
        transferElapsed = 0;
        if (pr.Match == log.LastIndex)
        {
            SendTimeoutNow(target);
        }
        else
        {
            SendAppend(target, pr, sendIfEmpty: true);
        }

        return true;
    }

    private void SendTimeoutNow(ulong target)
    {
        leaseBroken = true; // The target may win before our lease would have run out.
        Send(target, RaftMessageType.TimeoutNow);
    }

    private void InstallMembership(Membership next)
    {
        Membership = next;
        membershipDirty = true;
        SyncProgress();
        MaybeCommit();
        MaybeStepDownRemoved();
    }

    /// <summary>True if a quorum of the current voters (this node included, if a voter) reported this
    /// configuration.</summary>
    private bool ConfigCommitted()
    {
        int count = 0;
        foreach (ulong voter in Membership.Voters)
        {
            if (voter == Id || (progress.TryGetValue(voter, out var pr) && pr.ReportedConfig is { } reported
                && reported.HasSameStamp(Membership)))
            {
                count++;
            }
        }

        return count >= Membership.Quorum;
    }

    /// <summary>A leader that is no longer a voter steps down once its new configuration is committed.</summary>
    private void MaybeStepDownRemoved()
    {
        if (Role != RaftRole.Leader || Membership.IsVoter(Id) || !ConfigCommitted())
        {
            return;
        }

        // Hand over to an up-to-date voter so the cluster does not wait for an election timeout.
        foreach (var (peer, pr) in progress)
        {
            if (Membership.IsVoter(peer) && pr.Match == log.LastIndex)
            {
                SendTimeoutNow(peer);
                break;
            }
        }

        BecomeFollower(Term, 0);
    }

    private void ResetLeaderState()
    {
        progress.Clear();
        transferee = 0;
        transferElapsed = 0;
        commitChanged = false;
        leaseBroken = false;
        readRound = 0;
        pendingReads.Clear();
        waitingReads.Clear();
    }
}
