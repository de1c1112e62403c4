namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The session tried to release a lease that it does not hold (it expired, or another session holds it).</summary>
public sealed class NotLeaseHolderException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public NotLeaseHolderException(string message)
        : base(TubeErrorCode.NotLeaseHolder, message)
    {
    }
}
