namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The session is unknown to the replicated state: it expired (idle longer than its timeout, by log time), was closed, or never existed. Open a new session and retry.</summary>
public sealed class SessionExpiredException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public SessionExpiredException(string message)
        : base(TubeErrorCode.SessionExpired, message)
    {
    }
}
