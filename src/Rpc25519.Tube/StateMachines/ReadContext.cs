namespace Rpc25519.Tube.StateMachines;

/// <summary>What a state machine may know while it answers a read: how far the state has been applied and the log
/// time at that point. Reads never change state.</summary>
/// <param name="AppliedIndex">The index of the last applied entry.</param>
/// <param name="LogTimeMs">The log time (Unix milliseconds) as of that entry.</param>
public readonly record struct ReadContext(long AppliedIndex, long LogTimeMs)
{
    /// <summary>Finds an open session by id (null when it is not open); set by the <see cref="StateMachineSet"/>.</summary>
    internal Func<long, Sessions.SessionInfo?>? FindSession { get; init; }
}
