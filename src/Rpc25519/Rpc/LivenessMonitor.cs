namespace Rpc25519.Rpc;

/// <summary>
/// One connection's liveness: when it last sent and received, how many keep-alives went each way, and a timer that
/// asks for a keep-alive when the connection has been quiet for <c>keepAliveInterval</c> and declares it dead when
/// nothing arrived for <see cref="RpcOptions.DeadConnectionTimeout"/>.
/// </summary>
/// <remarks>Thread-safe: the reader loop, the writer and the timer report to it concurrently.</remarks>
internal sealed class LivenessMonitor
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _keepAliveInterval;
    private readonly TimeSpan _deadAfter;
    private readonly Action _sendKeepAlive;
    private readonly Action<TimeSpan> _declareDead;
    private ITimer? _timer;

    /// <summary>UTC ticks of the last flush and the last frame received; 0 for never.</summary>
    private long _lastSentUtcTicks;

    private long _lastReceivedUtcTicks;
    private long _keepAlivesSent;
    private long _keepAlivesReceived;

    /// <param name="timeProvider">The clock and timer source.</param>
    /// <param name="keepAliveInterval">Send a keep-alive after this long without sending; zero for never.</param>
    /// <param name="deadAfter">Declare the peer dead after this long without receiving; zero for never.</param>
    /// <param name="sendKeepAlive">Queues one keep-alive (best effort).</param>
    /// <param name="declareDead">Closes the connection; given how long it has been silent.</param>
    public LivenessMonitor(TimeProvider timeProvider, TimeSpan keepAliveInterval, TimeSpan deadAfter,
        Action sendKeepAlive, Action<TimeSpan> declareDead)
    {
        _timeProvider = timeProvider;
        _keepAliveInterval = keepAliveInterval;
        _deadAfter = deadAfter;
        _sendKeepAlive = sendKeepAlive;
        _declareDead = declareDead;
    }

    /// <summary>A snapshot of the counters.</summary>
    public PingStats GetPingStats() => new(
        ToTime(Volatile.Read(ref _lastSentUtcTicks)),
        ToTime(Volatile.Read(ref _lastReceivedUtcTicks)),
        Interlocked.Read(ref _keepAlivesSent),
        Interlocked.Read(ref _keepAlivesReceived));

    /// <summary>Starts the timer, if keep-alives or dead-connection detection are on.</summary>
    public void Start()
    {
        TimeSpan period = _keepAliveInterval > TimeSpan.Zero ? _keepAliveInterval : _deadAfter / 4;
        if (_deadAfter > TimeSpan.Zero && _deadAfter / 4 < period)
        {
            period = _deadAfter / 4;
        }
        if (period <= TimeSpan.Zero)
        {
            return;
        }
        Volatile.Write(ref _lastReceivedUtcTicks, _timeProvider.GetUtcNow().UtcTicks);
        _timer = _timeProvider.CreateTimer(static s => ((LivenessMonitor)s!).OnTimer(), this, period, period);
    }

    public void Stop() => _timer?.Dispose();

    /// <summary>A flush of the connection's output completed.</summary>
    public void NoteFlushed() => Volatile.Write(ref _lastSentUtcTicks, _timeProvider.GetUtcNow().UtcTicks);

    /// <summary>A keep-alive frame was written.</summary>
    public void NoteKeepAliveSent() => Interlocked.Increment(ref _keepAlivesSent);

    /// <summary>A frame arrived at <paramref name="now"/>.</summary>
    public void NoteReceived(DateTimeOffset now, bool keepAlive)
    {
        Volatile.Write(ref _lastReceivedUtcTicks, now.UtcTicks);
        if (keepAlive)
        {
            Interlocked.Increment(ref _keepAlivesReceived);
        }
    }

    private void OnTimer()
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        TimeSpan silent = now - new DateTimeOffset(Volatile.Read(ref _lastReceivedUtcTicks), TimeSpan.Zero);
        if (_deadAfter > TimeSpan.Zero && silent >= _deadAfter)
        {
            _declareDead(silent);
            return;
        }
        TimeSpan idle = now - new DateTimeOffset(Volatile.Read(ref _lastSentUtcTicks), TimeSpan.Zero);
        if (_keepAliveInterval > TimeSpan.Zero && idle >= _keepAliveInterval)
        {
            _sendKeepAlive();
        }
    }

    private static DateTimeOffset? ToTime(long utcTicks) =>
        utcTicks == 0 ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);
}
