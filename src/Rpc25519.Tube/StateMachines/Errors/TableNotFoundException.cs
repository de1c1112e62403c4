namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>The table does not exist. Create it (or write a key to it, which creates it).</summary>
public sealed class TableNotFoundException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public TableNotFoundException(string message)
        : base(TubeErrorCode.TableNotFound, message)
    {
    }
}
