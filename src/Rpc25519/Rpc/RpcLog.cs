using Microsoft.Extensions.Logging;

namespace Rpc25519.Rpc;

/// <summary>Log events of the RPC session layer (event ids 200–299).</summary>
internal static partial class RpcLog
{
    [LoggerMessage(EventId = 200, EventName = "ConnectionOpened", Level = LogLevel.Debug,
        Message = "Connection {RemoteAddress} open (local {LocalAddress})")]
    public static partial void ConnectionOpened(ILogger logger, string remoteAddress, string localAddress);

    [LoggerMessage(EventId = 201, EventName = "ConnectionClosing", Level = LogLevel.Debug,
        Message = "Connection {RemoteAddress} closing: {Reason}")]
    public static partial void ConnectionClosing(ILogger logger, string remoteAddress, string reason);

    [LoggerMessage(EventId = 202, EventName = "ProtocolViolation", Level = LogLevel.Information,
        Message = "Closing connection {RemoteAddress}: protocol violation {Violation}: {Detail}")]
    public static partial void ProtocolViolation(ILogger logger, string remoteAddress, ProtocolViolation violation,
        string detail);

    [LoggerMessage(EventId = 203, EventName = "OwnerFailed", Level = LogLevel.Error,
        Message = "Bug: dispatching a message from {RemoteAddress} threw")]
    public static partial void OwnerFailed(ILogger logger, string remoteAddress, Exception exception);

    [LoggerMessage(EventId = 204, EventName = "FlushOnCloseTimedOut", Level = LogLevel.Information,
        Message = "Connection {RemoteAddress}: queued frames did not flush in time during close; aborting")]
    public static partial void FlushOnCloseTimedOut(ILogger logger, string remoteAddress);

    [LoggerMessage(EventId = 205, EventName = "HandlerFailed", Level = LogLevel.Debug,
        Message = "Handler {ServiceName} for {RemoteAddress} (call {CallId}) threw; the error goes back in Error")]
    public static partial void HandlerFailed(ILogger logger, string serviceName, string remoteAddress, string callId,
        Exception exception);

    [LoggerMessage(EventId = 206, EventName = "NoSuchService", Level = LogLevel.Information,
        Message = "No {Kind} function registered as '{ServiceName}' (from {RemoteAddress}); sent an error answer")]
    public static partial void NoSuchService(ILogger logger, string kind, string serviceName, string remoteAddress);

    [LoggerMessage(EventId = 207, EventName = "UnclaimedReply", Level = LogLevel.Debug,
        Message = "Reply from {RemoteAddress} for call {CallId} (sequence number {SequenceNumber}) has no waiting caller; dropped")]
    public static partial void UnclaimedReply(ILogger logger, string remoteAddress, string callId, ulong sequenceNumber);

    [LoggerMessage(EventId = 208, EventName = "IncomingDropped", Level = LogLevel.Warning,
        Message = "Incoming queue full (RpcOptions.IncomingQueueCapacity); dropped the oldest message, call {CallId}")]
    public static partial void IncomingDropped(ILogger logger, string callId);

    [LoggerMessage(EventId = 209, EventName = "ReplyNotSent", Level = LogLevel.Debug,
        Message = "Reply to {RemoteAddress} for call {CallId} not sent: {Reason}")]
    public static partial void ReplyNotSent(ILogger logger, string remoteAddress, string callId, string reason);

    [LoggerMessage(EventId = 210, EventName = "AcceptFailed", Level = LogLevel.Error,
        Message = "Accepting a client on {ListenAddress} failed ({FailuresInARow} in a row); accepting again shortly")]
    public static partial void AcceptFailed(ILogger logger, string listenAddress, int failuresInARow,
        Exception exception);

    [LoggerMessage(EventId = 211, EventName = "UnsupportedCallType", Level = LogLevel.Information,
        Message = "Call type {CallType} from {RemoteAddress} is not served here; sent an error answer")]
    public static partial void UnsupportedCallType(ILogger logger, string callType, string remoteAddress);

    [LoggerMessage(EventId = 212, EventName = "LoopFailed", Level = LogLevel.Error,
        Message = "Bug: the {Loop} loop of connection {RemoteAddress} failed; closing that connection")]
    public static partial void LoopFailed(ILogger logger, string remoteAddress, string loop, Exception exception);

    [LoggerMessage(EventId = 213, EventName = "EventHandlerFailed", Level = LogLevel.Warning,
        Message = "A {EventName} handler threw for {RemoteAddress}; ignored")]
    public static partial void EventHandlerFailed(ILogger logger, string eventName, string remoteAddress,
        Exception exception);

    [LoggerMessage(EventId = 214, EventName = "ReplyTooLarge", Level = LogLevel.Warning,
        Message = "The reply of {ServiceName} to {RemoteAddress} is {BodyBytes} bytes, over MaxFrameBytes " +
            "({MaxFrameBytes}); answered with an error instead")]
    public static partial void ReplyTooLarge(ILogger logger, string remoteAddress, string serviceName, long bodyBytes,
        int maxFrameBytes);
}
