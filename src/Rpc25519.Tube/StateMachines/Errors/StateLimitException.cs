namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The KV store holds <see cref="StateMachineOptions.MaxStateBytes"/> bytes of keys and values, and the
/// command could add to them; deletes and reads still work. The message says how much is held.</summary>
public sealed class StateLimitException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StateLimitException(string message)
        : base(TubeErrorCode.StateLimit, message)
    {
    }
}
