namespace Rpc25519.Tube.Hosting;

/// <summary>What a client asks a replica to do.</summary>
internal enum TubeRequestKind
{
    /// <summary>Propose a <see cref="StateMachines.TubeCommand"/> (writes, sessions); leader only.</summary>
    Submit = 0,

    /// <summary>Answer a query from a state machine in the request's <see cref="ReadMode"/>.</summary>
    Read = 1,

    /// <summary>Report the replica's <see cref="TubeStatus"/>.</summary>
    Status = 2,

    /// <summary>Propose a single-server membership change; leader only.</summary>
    ChangeMembership = 3,

    /// <summary>Hand leadership to another voter; leader only.</summary>
    TransferLeadership = 4,

    /// <summary>Long-poll the change feed: the changes from an index that match a table and key or key prefix,
    /// answered when there are some or when the wait runs out; any member.</summary>
    Watch = 5,

    /// <summary>UNSAFE rescue: install <see cref="TubeRequest.Voters"/> and <see cref="TubeRequest.Shadows"/> on this
    /// replica without any safety check (<see cref="Raft.RaftNode.ForceMembership"/>); any member.</summary>
    ForceMembership = 6,

    /// <summary>UNSAFE rescue: this replica forgets its membership (<see cref="Raft.RaftNode.ClearMembership"/>) and
    /// waits for a leader to send it one; any member.</summary>
    ClearMembership = 7,

    /// <summary>Wait for the reply to a session's serial on this replica: answered with the reply once this replica
    /// has applied the command, or without one (the client then relies on the leader's answer) when it cannot come
    /// or the wait runs out; any member.</summary>
    AwaitReply = 8,
}
