namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>A session could not be opened because <see cref="StateMachineOptions.MaxSessions"/> sessions are open;
/// the message says how to get one.</summary>
public sealed class SessionLimitException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public SessionLimitException(string message)
        : base(TubeErrorCode.SessionLimit, message)
    {
    }
}
