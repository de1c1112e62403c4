namespace Rpc25519.Tube.StateMachines;

/// <summary>What a <see cref="TubeCommand"/> asks the replicated state to do.</summary>
public enum CommandKind
{
    /// <summary>Apply <see cref="TubeCommand.Payload"/> to the state machine named by
    /// <see cref="TubeCommand.Machine"/>.</summary>
    Apply = 0,

    /// <summary>Open a client session; its id is the log index of this command.</summary>
    OpenSession = 1,

    /// <summary>Keep a session alive without doing anything else.</summary>
    KeepAlive = 2,

    /// <summary>Close a session: its cached replies are dropped and its leases released.</summary>
    CloseSession = 3,

    /// <summary>Do nothing but move the log time forward (and so expire idle sessions and their leases). A leader
    /// host proposes one now and then while no other command arrives.</summary>
    Tick = 4,

    /// <summary>Record the address of member <see cref="TubeCommand.MemberId"/> in the replicated address book, so
    /// every replica (and every later leader) can reach a member that joined after it started. A leader host
    /// proposes one when a membership change brings an address it has not replicated yet.</summary>
    SetMemberAddress = 5,
}
