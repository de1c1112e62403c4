using Microsoft.Extensions.Logging;

namespace Rpc25519.Hosting;

/// <summary>Log messages of the hosting integration (event IDs 800–899).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 800, EventName = "ServerStarted", Level = LogLevel.Information,
        Message = "RPC server listening on {Address}")]
    public static partial void ServerStarted(ILogger logger, string address);

    [LoggerMessage(EventId = 801, EventName = "ServerStopped", Level = LogLevel.Information,
        Message = "RPC server on {Address} stopped")]
    public static partial void ServerStopped(ILogger logger, string address);

    [LoggerMessage(EventId = 802, EventName = "Reconnecting", Level = LogLevel.Warning,
        Message = "Connecting to {Address} failed ({Reason}); trying again in {DelayMs} ms")]
    public static partial void Reconnecting(ILogger logger, string address, string reason, double delayMs);
}
