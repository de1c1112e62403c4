namespace Rpc25519.Tube.StateMachines;

/// <summary>Whether a replica holds the reply to a session's serial (<see cref="StateMachineSet.FindCachedReply"/>).</summary>
internal enum CachedReplyState
{
    /// <summary>Not applied on this replica yet; it may be later.</summary>
    NotYet,

    /// <summary>Applied; the reply is cached.</summary>
    Applied,

    /// <summary>It will never be answered from this replica's cache.</summary>
    Gone,
}
