namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The value (or key) is larger than the configured maximum. Split it or raise the limit in the options.</summary>
public sealed class ValueTooLargeException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public ValueTooLargeException(string message)
        : base(TubeErrorCode.ValueTooLarge, message)
    {
    }
}
