namespace Rpc25519.JSync;

/// <summary>The other side broke the protocol (unexpected message, unknown file id, a chunk it never offered).</summary>
public sealed class JSyncProtocolException : JSyncException
{
    /// <summary>Creates the exception.</summary>
    public JSyncProtocolException(string message)
        : base(message + " Both sides must run compatible jsync versions; rerun the sync, and report it if it repeats.")
    {
    }
}
