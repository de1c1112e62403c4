namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>
/// The base of every error a replicated command can end with. A state machine throws one of these from
/// <see cref="IReplicatedStateMachine.Apply"/> to refuse a command (before changing any state); the refusal is
/// replicated as a reply, cached for the session like any other reply, and rethrown on the client by
/// <see cref="TubeReply.ThrowIfError"/>. Each message says what to do about it.
/// </summary>
public class TubeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The code that travels in the reply.</param>
    /// <param name="message">What went wrong and what to do about it.</param>
    public TubeException(TubeErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The code that travels in the reply.</summary>
    public TubeErrorCode ErrorCode { get; }

    /// <summary>Extra bytes that travel with the error in <see cref="TubeReply.Payload"/> (null when none).</summary>
    internal virtual byte[]? DetailPayload => null;
}
