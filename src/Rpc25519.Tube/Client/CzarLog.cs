using Microsoft.Extensions.Logging;

namespace Rpc25519.Tube.Client;

/// <summary>Log events of <see cref="TubeCzar"/> (event ids 760–764).</summary>
internal static partial class CzarLog
{
    [LoggerMessage(EventId = 760, EventName = "CzarElected", Level = LogLevel.Information,
        Message = "Czar of role {Role}: this candidate holds it (fencing token {FencingToken})")]
    public static partial void Elected(ILogger logger, string role, long fencingToken);

    [LoggerMessage(EventId = 761, EventName = "CzarLost", Level = LogLevel.Warning,
        Message = "Czar of role {Role}: this candidate no longer holds it (fencing token {FencingToken}): {Reason}")]
    public static partial void Lost(ILogger logger, string role, long fencingToken, TubeCzarChangeReason reason);

    [LoggerMessage(EventId = 762, EventName = "CzarAttemptFailed", Level = LogLevel.Debug,
        Message = "Czar of role {Role}: a lease write failed; trying again: {Reason}")]
    public static partial void AttemptFailed(ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 763, EventName = "CzarReleaseFailed", Level = LogLevel.Warning,
        Message = "Czar of role {Role}: could not close the session on dispose; its lease ends by itself within the " +
            "lease duration: {Reason}")]
    public static partial void ReleaseFailed(ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 764, EventName = "CzarFailed", Level = LogLevel.Critical,
        Message = "Czar of role {Role}: the renewal loop failed and stopped; dispose this czar and start a new one")]
    public static partial void Failed(ILogger logger, string role, Exception exception);
}
