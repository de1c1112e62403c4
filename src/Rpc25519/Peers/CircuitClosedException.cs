namespace Rpc25519.Peers;

/// <summary>
/// The circuit is closed: by this side, by the remote (<c>closed by remote</c>), by either peer shutting down, or by
/// the loss of its connection (<c>connection lost: …</c>). <see cref="Exception.Message"/> carries that reason.
/// </summary>
public sealed class CircuitClosedException : RpcException
{
    /// <summary>Creates the error.</summary>
    public CircuitClosedException(string message, Exception? innerException = null) : base(message, innerException) { }
}
