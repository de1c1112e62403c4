namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>A user-defined state machine refused the command; the message says why.</summary>
public sealed class CommandRejectedException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public CommandRejectedException(string message)
        : base(TubeErrorCode.Rejected, message)
    {
    }
}
