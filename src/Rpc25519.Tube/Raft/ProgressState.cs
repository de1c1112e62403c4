namespace Rpc25519.Tube.Raft;

/// <summary>How the leader currently replicates to one follower.</summary>
internal enum ProgressState
{
    /// <summary>One append at a time until the follower's match point is found.</summary>
    Probe = 0,

    /// <summary>Pipelined appends, up to the in-flight window.</summary>
    Replicate = 1,

    /// <summary>Sending snapshot chunks; appends are paused.</summary>
    Snapshot = 2,
}
