namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>
/// A state machine threw something other than a <see cref="TubeException"/> from
/// <see cref="IReplicatedStateMachine.Apply"/> or <see cref="IReplicatedStateMachine.Query"/>: a bug in the machine
/// (an overflow, a missing key, a null field it did not check). The replicas answer it as this error instead of
/// stopping, since every replica would apply the same entry again after a restart and stop again. An applied command
/// still counts as applied, so whatever the machine changed before it threw stays changed, on every replica alike.
/// The message names the machine and the exception; the replicas log it (event 765).
/// </summary>
public sealed class StateMachineFaultException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which machine failed, with which exception.</param>
    public StateMachineFaultException(string message)
        : base(TubeErrorCode.MachineFault, message)
    {
    }

    internal static StateMachineFaultException For(string machine, Exception fault) => new(
        $"State machine '{machine}' failed with {fault.GetType().Name}: {fault.Message} Fix the machine: it must " +
        "refuse bad input with a TubeException (for example InvalidCommandException) before changing its state.");
}
