using Microsoft.Extensions.Logging;

namespace Rpc25519.Peers;

/// <summary>Log events of the peer layer (event ids 500–599).</summary>
internal static partial class PeerLog
{
    [LoggerMessage(EventId = 500, EventName = "PeerStarted", Level = LogLevel.Debug,
        Message = "Peer {PeerId} of service {ServiceName} started")]
    public static partial void PeerStarted(ILogger logger, string peerId, string serviceName);

    [LoggerMessage(EventId = 501, EventName = "PeerClosed", Level = LogLevel.Debug,
        Message = "Peer {PeerId} of service {ServiceName} closed: {Reason}")]
    public static partial void PeerClosed(ILogger logger, string peerId, string serviceName, string reason);

    [LoggerMessage(EventId = 502, EventName = "CircuitOpened", Level = LogLevel.Debug,
        Message = "Circuit {CircuitId} ({CircuitName}) open between {LocalPeerId} and {RemotePeerId}")]
    public static partial void CircuitOpened(ILogger logger, string circuitId, string circuitName, string localPeerId,
        string remotePeerId);

    [LoggerMessage(EventId = 503, EventName = "CircuitClosed", Level = LogLevel.Debug,
        Message = "Circuit {CircuitId} closed: {Reason}")]
    public static partial void CircuitClosed(ILogger logger, string circuitId, string reason);

    [LoggerMessage(EventId = 504, EventName = "UnknownPeer", Level = LogLevel.Information,
        Message = "{CallType} from {RemoteAddress} for unknown peer {PeerId} (circuit {CircuitId}); dropped")]
    public static partial void UnknownPeer(ILogger logger, string callType, string remoteAddress, string peerId,
        string circuitId);

    [LoggerMessage(EventId = 505, EventName = "UnknownCircuit", Level = LogLevel.Debug,
        Message = "{CallType} from {RemoteAddress} for peer {PeerId} on unknown or closed circuit {CircuitId}; " +
                  "dropped")]
    public static partial void UnknownCircuit(ILogger logger, string callType, string remoteAddress, string peerId,
        string circuitId);

    [LoggerMessage(EventId = 506, EventName = "OpenRejected", Level = LogLevel.Information,
        Message = "Rejected {CallType} from {RemoteAddress} (circuit {CircuitId}): {Reason}")]
    public static partial void OpenRejected(ILogger logger, string callType, string remoteAddress, string circuitId,
        string reason);

    [LoggerMessage(EventId = 507, EventName = "WindowOverrun", Level = LogLevel.Information,
        Message = "Circuit {CircuitId}: the remote {RemoteAddress} sent beyond its credit window; closing the circuit")]
    public static partial void WindowOverrun(ILogger logger, string circuitId, string remoteAddress);

    [LoggerMessage(EventId = 508, EventName = "SystemSendFailed", Level = LogLevel.Debug,
        Message = "Peer-layer {CallType} to {RemoteAddress} (circuit {CircuitId}) not sent: {Reason}")]
    public static partial void SystemSendFailed(ILogger logger, string callType, string remoteAddress,
        string circuitId, string reason);

    [LoggerMessage(EventId = 509, EventName = "ServiceFuncFailed", Level = LogLevel.Information,
        Message = "Peer {PeerId}: the service function of {ServiceName} threw; closing the peer")]
    public static partial void ServiceFuncFailed(ILogger logger, string peerId, string serviceName,
        Exception exception);

    [LoggerMessage(EventId = 510, EventName = "UnclaimedAck", Level = LogLevel.Debug,
        Message = "Ack from {RemoteAddress} for {CallId} has no waiting opener; dropped")]
    public static partial void UnclaimedAck(ILogger logger, string remoteAddress, string callId);

    [LoggerMessage(EventId = 511, EventName = "ServiceStopTimedOut", Level = LogLevel.Information,
        Message = "Peer {PeerId}: the service function did not return within the shutdown grace period")]
    public static partial void ServiceStopTimedOut(ILogger logger, string peerId);
}
