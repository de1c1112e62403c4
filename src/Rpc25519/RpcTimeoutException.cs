namespace Rpc25519;

/// <summary>A call got no reply within its timeout (the call's deadline or <see cref="RpcOptions.DefaultCallTimeout"/>).
/// The request may still have run on the server.</summary>
public sealed class RpcTimeoutException : RpcException
{
    /// <summary>Creates the error.</summary>
    public RpcTimeoutException(string message) : base(message) { }
}
