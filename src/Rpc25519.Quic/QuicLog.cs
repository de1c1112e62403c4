using Microsoft.Extensions.Logging;

namespace Rpc25519.Transport.Quic;

/// <summary>Log events of the QUIC transport (event ids 150–169, inside the transport range).</summary>
internal static partial class QuicLog
{
    [LoggerMessage(EventId = 150, EventName = "QuicHandshakeFailed", Level = LogLevel.Information,
        Message = "QUIC handshake with {RemoteAddress} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string remoteAddress, string reason);

    [LoggerMessage(EventId = 151, EventName = "QuicHalfOpenLimit", Level = LogLevel.Information,
        Message = "QUIC listener {LocalAddress} has {HalfOpen} unfinished handshakes (the limit); dropping Initial " +
            "packets until some finish")]
    public static partial void HalfOpenLimit(ILogger logger, string localAddress, int halfOpen);

    [LoggerMessage(EventId = 152, EventName = "QuicConnectionClosed", Level = LogLevel.Debug,
        Message = "QUIC connection {LocalAddress} <-> {RemoteAddress} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string localAddress, string remoteAddress,
        string reason);

    [LoggerMessage(EventId = 153, EventName = "QuicReceiveFailed", Level = LogLevel.Information,
        Message = "QUIC socket {LocalAddress} receive failed ({SocketError}); still receiving")]
    public static partial void ReceiveFailed(ILogger logger, string localAddress, string socketError);

    [LoggerMessage(EventId = 154, EventName = "QuicAcceptQueueFull", Level = LogLevel.Warning,
        Message = "QUIC listener {LocalAddress}: accept queue full; dropping the connection from {RemoteAddress}")]
    public static partial void AcceptQueueFull(ILogger logger, string localAddress, string remoteAddress);

    [LoggerMessage(EventId = 155, EventName = "QuicSendFailed", Level = LogLevel.Debug,
        Message = "QUIC send to {RemoteAddress} failed ({SocketError}); QUIC resends what matters")]
    public static partial void SendFailed(ILogger logger, string remoteAddress, string socketError);

    [LoggerMessage(EventId = 156, EventName = "QuicRetryTokenRefused", Level = LogLevel.Information,
        Message = "QUIC listener {LocalAddress} refused the Retry token of {RemoteAddress} (forged, expired or from " +
            "another address); closed without keeping state")]
    public static partial void RetryTokenRefused(ILogger logger, string localAddress, string remoteAddress);
}
