namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The command's arguments are not acceptable (an empty key, a bad table name, a lease without a session, ...).</summary>
public sealed class InvalidCommandException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public InvalidCommandException(string message)
        : base(TubeErrorCode.InvalidCommand, message)
    {
    }
}
