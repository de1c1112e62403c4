namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The command bytes could not be decoded; the sender and the replicas disagree on the command format.</summary>
public sealed class MalformedCommandException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public MalformedCommandException(string message)
        : base(TubeErrorCode.MalformedCommand, message)
    {
    }
}
