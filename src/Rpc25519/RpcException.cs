namespace Rpc25519;

/// <summary>Base class of every error this library throws on purpose. Catch it to handle all RPC failures.</summary>
public class RpcException : Exception
{
    /// <summary>Creates an error with a message that says what happened and what to do.</summary>
    public RpcException(string message) : base(message) { }

    /// <summary>Creates an error that wraps its cause.</summary>
    public RpcException(string message, Exception? innerException) : base(message, innerException) { }
}
