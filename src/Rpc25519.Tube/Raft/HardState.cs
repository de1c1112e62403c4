namespace Rpc25519.Tube.Raft;

/// <summary>
/// The part of a node's state that must be durable before any message produced with it is sent:
/// the current term, the vote cast in that term, and the commit index. Immutable value.
/// </summary>
/// <param name="Term">The current term (0 before the first election).</param>
/// <param name="VotedFor">The node voted for in <paramref name="Term"/>, or 0 for none.</param>
/// <param name="Commit">The highest index known committed. Persisting it is optional for safety but saves
/// re-work.</param>
public readonly record struct HardState(long Term, ulong VotedFor, long Commit);
