namespace Rpc25519.Tube.Raft;

/// <summary>One single-server membership change (Mongo-Raft-Reconfig allows exactly one per step).</summary>
public enum MembershipChangeKind
{
    /// <summary>Make the node a voter (it may currently be a shadow or unknown).</summary>
    AddVoter = 0,

    /// <summary>Turn a voter into a shadow: it keeps replicating but no longer votes or counts.</summary>
    RemoveVoter = 1,

    /// <summary>Add a non-voting shadow that replicates the log but never votes.</summary>
    AddShadow = 2,

    /// <summary>Remove a shadow entirely; it receives nothing afterwards.</summary>
    RemoveShadow = 3,
}
