namespace Rpc25519.Tube.Raft;

/// <summary>A read waiting on the leader: for a quorum round (<see cref="Round"/>) or for the term's first
/// commit.</summary>
/// <param name="Round">The heartbeat round that must be acknowledged by a quorum (0 while waiting for a
/// commit).</param>
/// <param name="From">The node that asked (this node for local reads).</param>
/// <param name="RequestId">The requester's id for the read.</param>
/// <param name="Index">The read index: the commit index when the read arrived.</param>
/// <param name="Lease">The requester accepts a lease read.</param>
internal readonly record struct PendingRead(ulong Round, ulong From, ulong RequestId, long Index, bool Lease);
