namespace Rpc25519;

/// <summary>
/// The peer sent bytes that break the wire protocol (wrong magic, unknown version, frame over the size limit,
/// undecodable body, truncated frame). The connection that carried them is closed; other connections are unaffected.
/// </summary>
public sealed class RpcProtocolException : RpcException
{
    /// <summary>Creates the error.</summary>
    public RpcProtocolException(ProtocolViolation violation, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Violation = violation;
    }

    /// <summary>Which rule was broken.</summary>
    public ProtocolViolation Violation { get; }
}
