namespace Rpc25519.Tube.Raft;

/// <summary>The outcome of <see cref="RaftNode.Propose"/>.</summary>
public enum ProposeResult
{
    /// <summary>Appended to the leader's log; it commits later or is lost if leadership changes first.</summary>
    Accepted = 0,

    /// <summary>This node is not the leader; <see cref="RaftNode.LeaderId"/> hints at who is (0 if unknown).</summary>
    NotLeader = 1,

    /// <summary>A leadership transfer is in progress; retry after it ends.</summary>
    TransferInProgress = 2,

    /// <summary>The uncommitted tail reached <see cref="RaftOptions.UncommittedEntriesMax"/>; retry later.</summary>
    Throttled = 3,
}
