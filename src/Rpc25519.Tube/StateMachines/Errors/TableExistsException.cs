namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The table already exists. Use it, drop it first, or choose another name.</summary>
public sealed class TableExistsException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public TableExistsException(string message)
        : base(TubeErrorCode.TableExists, message)
    {
    }
}
