namespace Rpc25519.Tube.Raft;

/// <summary>The outcome of <see cref="RaftNode.ProposeMembershipChange"/>.</summary>
public enum MembershipChangeResult
{
    /// <summary>The new configuration is installed on the leader and spreads with its next messages.</summary>
    Accepted = 0,

    /// <summary>This node is not the leader.</summary>
    NotLeader = 1,

    /// <summary>
    /// The safety conditions do not hold yet: the current configuration is not committed on a quorum of itself in
    /// this term, or no entry of this term is committed yet, or a transfer is running. Retry later.
    /// </summary>
    NotReady = 2,

    /// <summary>
    /// The change is not a single-server change of the current configuration (for example a no-op), or it would
    /// remove the last voter.
    /// </summary>
    Invalid = 3,
}
