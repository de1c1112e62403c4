namespace Rpc25519;

/// <summary>The connection a call depended on is closed (peer gone, server stopped, protocol error, or disposed).
/// There is no automatic reconnect: create a new <see cref="RpcClient"/> to go on.</summary>
public sealed class RpcConnectionClosedException : RpcException
{
    /// <summary>Creates the error; <paramref name="innerException"/> is the reason the connection closed, if known.</summary>
    public RpcConnectionClosedException(string message, Exception? innerException = null)
        : base(message, innerException) { }
}
