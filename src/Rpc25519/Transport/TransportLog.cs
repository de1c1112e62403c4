using Microsoft.Extensions.Logging;

namespace Rpc25519.Transport;

/// <summary>Log events of the transport layer (event ids 100–199).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(EventId = 100, EventName = "AcceptFailed", Level = LogLevel.Information,
        Message = "Accept on {ListenAddress} failed ({SocketError}); still listening")]
    public static partial void AcceptFailed(ILogger logger, string listenAddress, string socketError, Exception exception);
}
