namespace Rpc25519.Tube.Raft;

/// <summary>
/// The answer to a read request: the host may serve the read with request id <paramref name="RequestId"/> once its
/// state machine has applied every entry up to and including <paramref name="Index"/>. Immutable value.
/// </summary>
/// <param name="RequestId">The id the host gave to <see cref="RaftNode.ReadIndex"/>.</param>
/// <param name="Index">The read index: the commit index at the moment the read became safe.</param>
public readonly record struct ReadState(ulong RequestId, long Index);
