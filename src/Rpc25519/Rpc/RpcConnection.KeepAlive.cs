using Rpc25519.Messages;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>Send a keep-alive when nothing else was sent for this long; zero for never.</summary>
    private readonly TimeSpan _keepAliveInterval;

    /// <summary>Fires every check period while keep-alives or dead-connection detection are on.</summary>
    private ITimer? _keepAliveTimer;

    /// <summary>UTC ticks of the last flush and the last frame received; 0 for never.</summary>
    private long _lastSentUtcTicks;

    private long _lastReceivedUtcTicks;

    private long _keepAlivesSent;
    private long _keepAlivesReceived;

    /// <summary>A snapshot of the connection's liveness counters.</summary>
    public PingStats GetPingStats() => new(
        ToTime(Volatile.Read(ref _lastSentUtcTicks)),
        ToTime(Volatile.Read(ref _lastReceivedUtcTicks)),
        Interlocked.Read(ref _keepAlivesSent),
        Interlocked.Read(ref _keepAlivesReceived));

    private void StartKeepAlive()
    {
        TimeSpan deadAfter = _endpoint.Config.DeadConnectionTimeout;
        TimeSpan period = _keepAliveInterval > TimeSpan.Zero ? _keepAliveInterval : deadAfter / 4;
        if (deadAfter > TimeSpan.Zero && deadAfter / 4 < period)
        {
            period = deadAfter / 4;
        }
        if (period <= TimeSpan.Zero)
        {
            return;
        }
        long now = _endpoint.TimeProvider.GetUtcNow().UtcTicks;
        Volatile.Write(ref _lastReceivedUtcTicks, now);
        _keepAliveTimer = _endpoint.TimeProvider.CreateTimer(static s => ((RpcConnection)s!).OnKeepAliveTimer(),
            this, period, period);
    }

    private void StopKeepAlive() => _keepAliveTimer?.Dispose();

    private void OnKeepAliveTimer()
    {
        if (CloseReason is not null)
        {
            return;
        }
        DateTimeOffset now = _endpoint.TimeProvider.GetUtcNow();
        TimeSpan deadAfter = _endpoint.Config.DeadConnectionTimeout;
        TimeSpan silent = now - new DateTimeOffset(Volatile.Read(ref _lastReceivedUtcTicks), TimeSpan.Zero);
        if (deadAfter > TimeSpan.Zero && silent >= deadAfter)
        {
            Close(new RpcConnectionClosedException(
                $"Nothing received from {RemoteAddress} for {silent.TotalSeconds:0.###} s " +
                $"(RpcOptions.DeadConnectionTimeout is {deadAfter.TotalSeconds:0.###} s); the peer is presumed dead."),
                graceful: false);
            return;
        }
        TimeSpan idle = now - new DateTimeOffset(Volatile.Read(ref _lastSentUtcTicks), TimeSpan.Zero);
        if (_keepAliveInterval > TimeSpan.Zero && idle >= _keepAliveInterval)
        {
            var ping = new Message(new MessageHeader { CallType = WireCallType.KeepAlive });
            _endpoint.StampOutgoing(ping);
            // A full queue means traffic is flowing, which keeps the peer informed anyway.
            TrySendBestEffort(ping);
        }
    }

    private static DateTimeOffset? ToTime(long utcTicks) =>
        utcTicks == 0 ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);
}
