using Microsoft.Extensions.Logging;

namespace Rpc25519.SimNet;

/// <summary>Log events of SimNet (event ids 400–499). Ids are never reused.</summary>
internal static partial class SimNetLog
{
    [LoggerMessage(EventId = 400, EventName = "FaultApplied", Level = LogLevel.Information,
        Message = "Fault at {VirtualTime} on node {NodeId}: {Fault}")]
    public static partial void FaultApplied(ILogger logger, TimeSpan virtualTime, int nodeId, string fault);

    [LoggerMessage(EventId = 401, EventName = "PowerChanged", Level = LogLevel.Information,
        Message = "Node {NodeId} powered {State} at {VirtualTime} (incarnation {Incarnation})")]
    public static partial void PowerChanged(ILogger logger, int nodeId, string state, TimeSpan virtualTime,
        int incarnation);

    [LoggerMessage(EventId = 402, EventName = "LinkFull", Level = LogLevel.Warning,
        Message = "Link from {LocalAddress} to {RemoteAddress} holds {Messages} messages " +
                  "(SimNetworkOptions.LinkMessagesMax); the new message is lost as overflow")]
    public static partial void LinkFull(ILogger logger, string localAddress, string remoteAddress, int messages);

    [LoggerMessage(EventId = 403, EventName = "StallReset", Level = LogLevel.Information,
        Message = "Stream {LocalAddress} -> {RemoteAddress} stalled on lost data and was reset")]
    public static partial void StallReset(ILogger logger, string localAddress, string remoteAddress);

    [LoggerMessage(EventId = 404, EventName = "RunFailed", Level = LogLevel.Warning,
        Message = "Simulation run failed: seed {Seed}, step {Step}, virtual time {VirtualTime}: {Reason}")]
    public static partial void RunFailed(ILogger logger, ulong seed, long step, TimeSpan virtualTime, string reason);

    [LoggerMessage(EventId = 405, EventName = "RunStarted", Level = LogLevel.Debug,
        Message = "Simulation run starts: seed {Seed}, schedule {ScheduleMode}, step {Step}, " +
                  "virtual time {VirtualTime}")]
    public static partial void RunStarted(ILogger logger, ulong seed, ScheduleMode scheduleMode, long step,
        TimeSpan virtualTime);
}
