using Microsoft.Extensions.Logging;

namespace Rpc25519.Rpc;

internal static partial class RpcLog
{
    // Streams use event ids 260–269.

    [LoggerMessage(EventId = 260, EventName = "StreamFrameDropped", Level = LogLevel.Debug,
        Message = "Dropped a {CallType} frame from {RemoteAddress} for stream {CallId}, which is not open")]
    public static partial void StreamFrameDropped(ILogger logger, string remoteAddress, string callId, string callType);
}
