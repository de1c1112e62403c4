namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>Why a replicated command was refused. Travels in <see cref="TubeReply.Error"/>; the client turns it back
/// into the matching <see cref="TubeException"/> subclass with <see cref="TubeReply.ThrowIfError"/>.</summary>
public enum TubeErrorCode
{
    /// <summary>No error: the command was applied.</summary>
    None = 0,

    /// <summary>The session is unknown: it expired, was closed, or never existed.</summary>
    SessionExpired = 1,

    /// <summary>The command's serial is below the oldest serial the session still answers.</summary>
    StaleSerial = 2,

    /// <summary>No state machine is registered under the command's target name.</summary>
    UnknownStateMachine = 3,

    /// <summary>The command bytes could not be decoded.</summary>
    MalformedCommand = 4,

    /// <summary>The command is well formed but its arguments are not acceptable.</summary>
    InvalidCommand = 5,

    /// <summary>The value is larger than the configured maximum.</summary>
    ValueTooLarge = 6,

    /// <summary>The table does not exist.</summary>
    TableNotFound = 7,

    /// <summary>The table already exists.</summary>
    TableExists = 8,

    /// <summary>The key is leased by another session.</summary>
    KeyLeased = 9,

    /// <summary>A compare-and-swap condition did not hold.</summary>
    CasMismatch = 10,

    /// <summary>The session tried to release a lease it does not hold.</summary>
    NotLeaseHolder = 11,

    /// <summary>A user-defined state machine refused the command.</summary>
    Rejected = 12,

    /// <summary>The replica asked is not the leader; the error names the leader when it knows one.</summary>
    NotLeader = 13,

    /// <summary>The leader could not reach a quorum in time (or leadership changed while waiting).</summary>
    NoQuorum = 14,

    /// <summary>No member answered within the deadline; or, from a replica, it is at one of its limits
    /// (<see cref="Hosting.TubeReplicaOptions.MaxWatchers"/>, <see cref="Hosting.TubeReplicaOptions.MaxHeldReads"/>)
    /// and the client should try another member.</summary>
    Unavailable = 15,

    /// <summary>A write named an owner session that is not open.</summary>
    OwnerSessionNotFound = 16,

    /// <summary>A state machine threw something other than a <see cref="TubeException"/> while applying the command
    /// or answering the query (a bug in it). An applied command still counts as applied, on every replica alike.</summary>
    MachineFault = 17,

    /// <summary>A session could not be opened: <see cref="StateMachineOptions.MaxSessions"/> are open.</summary>
    SessionLimit = 18,

    /// <summary>The KV store holds <see cref="StateMachineOptions.MaxStateBytes"/>; a command that could add to it
    /// was refused.</summary>
    StateLimit = 19,

    /// <summary>A watch asked for changes the change feed no longer holds
    /// (<see cref="ChangeFeedCompactedException"/>). Raised by the client from the page it got; never sent as a
    /// command's reply.</summary>
    ChangeFeedCompacted = 20,
}
