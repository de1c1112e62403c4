namespace Rpc25519.JSync;

/// <summary>The base of every error jsync reports; the message says what went wrong and what to do.</summary>
public class JSyncException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public JSyncException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public JSyncException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
