namespace Rpc25519;

/// <summary>A listener could not bind, a dial failed, or an address is malformed.</summary>
public sealed class RpcTransportException : RpcException
{
    /// <summary>Creates the error.</summary>
    public RpcTransportException(string message, Exception? innerException = null) : base(message, innerException) { }
}
