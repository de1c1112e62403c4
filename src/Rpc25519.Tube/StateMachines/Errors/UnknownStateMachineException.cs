namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The command names a state machine that is not registered on the replicas.</summary>
public sealed class UnknownStateMachineException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public UnknownStateMachineException(string message)
        : base(TubeErrorCode.UnknownStateMachine, message)
    {
    }
}
