using Microsoft.Extensions.Logging;

namespace Rpc25519.Tube.Etcd;

/// <summary>Log events of the etcd endpoint (event ids 780–789).</summary>
internal static partial class EtcdLog
{
    [LoggerMessage(EventId = 780, EventName = "EtcdEndpointStarted", Level = LogLevel.Information,
        Message = "etcd v3 endpoint serving table '{Table}' at {Address} (plain HTTP/2)")]
    public static partial void Started(ILogger logger, string table, string address);

    [LoggerMessage(EventId = 781, EventName = "EtcdWatchEnded", Level = LogLevel.Warning,
        Message = "etcd watch {WatchId} ended: {Reason}")]
    public static partial void WatchEnded(ILogger logger, long watchId, string reason);

    [LoggerMessage(EventId = 782, EventName = "EtcdEndpointStopped", Level = LogLevel.Information,
        Message = "etcd v3 endpoint at {Address} stopped")]
    public static partial void Stopped(ILogger logger, string address);
}
