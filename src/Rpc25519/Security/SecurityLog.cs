using Microsoft.Extensions.Logging;

namespace Rpc25519.Security;

/// <summary>Log events of the security layers (TLS, pre-shared key, known keys): event ids 120–149, inside the
/// transport range.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 120, EventName = "HandshakeFailed", Level = LogLevel.Information,
        Message = "{Layer} handshake with {RemoteAddress} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string layer, string remoteAddress, string reason);

    [LoggerMessage(EventId = 121, EventName = "HandshakeCompleted", Level = LogLevel.Debug,
        Message = "{Layer} handshake with {RemoteAddress} completed")]
    public static partial void HandshakeCompleted(ILogger logger, string layer, string remoteAddress);

    [LoggerMessage(EventId = 122, EventName = "LayerReceiveFailed", Level = LogLevel.Information,
        Message = "Receiving from {RemoteAddress} failed: {Reason}")]
    public static partial void LayerReceiveFailed(ILogger logger, string remoteAddress, string reason);

    [LoggerMessage(EventId = 123, EventName = "LayerSendFailed", Level = LogLevel.Information,
        Message = "Sending to {RemoteAddress} failed: {Reason}")]
    public static partial void LayerSendFailed(ILogger logger, string remoteAddress, string reason);

    [LoggerMessage(EventId = 124, EventName = "KnownKeyRecorded", Level = LogLevel.Information,
        Message = "Recorded new key {PeerKey} of {RemoteAddress} in {KnownKeysPath}")]
    public static partial void KnownKeyRecorded(ILogger logger, string peerKey, string remoteAddress,
        string knownKeysPath);

    [LoggerMessage(EventId = 125, EventName = "TooManyHandshakes", Level = LogLevel.Warning,
        Message = "Dropping {RemoteAddress}: {Limit} handshakes are already in progress")]
    public static partial void TooManyHandshakes(ILogger logger, string remoteAddress, int limit);

    [LoggerMessage(EventId = 126, EventName = "AcceptFailed", Level = LogLevel.Error,
        Message = "Accepting a connection on {ListenAddress} failed ({FailuresInARow} in a row); accepting again shortly")]
    public static partial void AcceptFailed(ILogger logger, string listenAddress, int failuresInARow,
        Exception exception);
}
