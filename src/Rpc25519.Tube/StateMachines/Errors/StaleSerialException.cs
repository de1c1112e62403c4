namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The command's serial is older than the oldest serial its session still answers, so the state machine can no longer tell whether it ran. Do not retry it blindly: read the state and decide.</summary>
public sealed class StaleSerialException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public StaleSerialException(string message)
        : base(TubeErrorCode.StaleSerial, message)
    {
    }
}
