namespace Rpc25519.SimNet;

/// <summary>
/// A node's clock under simulation: virtual time that moves only when the executor has nothing ready, plus this node's
/// clock skew (a wall-clock offset and a rate drift). Timers are kept by the executor and their callbacks run on the
/// simulation thread as work of the node, never on a foreign thread. Hand it to <c>RpcOptions.TimeProvider</c>.
/// </summary>
/// <remarks>
/// <para>Wall time (<see cref="GetUtcNow"/>) starts at <see cref="Epoch"/> and includes the offset; the monotonic
/// timestamp (<see cref="GetTimestamp"/>, frequency 10^7) includes only the drift, as a real monotonic clock ignores
/// wall-clock steps. Timer durations are in the node's local time: with a drift of +1000 ppm a 1 s timer fires after
/// 0.999 s of global virtual time. A drift change does not move timers already armed.</para>
/// <para>Thread-safety: use only on the simulation thread.</para>
/// </remarks>
public sealed class VirtualTimeProvider : TimeProvider
{
    /// <summary>The wall-clock time at virtual time zero: 2000-01-01 00:00:00 UTC.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimNode _node;
    private long _offsetTicks;
    private double _rate = 1.0;
    private long _anchorGlobalTicks;
    private long _anchorLocalTicks;

    internal VirtualTimeProvider(SimNode node)
    {
        _node = node;
    }

    /// <summary>The wall-clock offset of this node against true virtual time.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(_offsetTicks);

    /// <summary>The rate drift of this node's clock, in parts per million (positive runs fast).</summary>
    public double DriftPartsPerMillion => (_rate - 1.0) * 1e6;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(LocalTicks(_node.Executor.NowTicks) + _offsetTicks);

    /// <inheritdoc/>
    public override long GetTimestamp() => LocalTicks(_node.Executor.NowTicks);

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>
    /// Creates a virtual timer owned by the node's current process: a power-off of the node cancels it. The execution
    /// context is not captured (nothing in the simulation depends on ambient async-local state at callback time).
    /// </summary>
    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new SimTimer(this, _node.Process, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Sets the skew from now on; the monotonic clock stays continuous, the wall clock jumps by the offset
    /// change.</summary>
    internal void SetSkew(TimeSpan offset, double driftPartsPerMillion)
    {
        if (driftPartsPerMillion <= -1e6 || double.IsNaN(driftPartsPerMillion)
            || double.IsInfinity(driftPartsPerMillion))
        {
            throw new ArgumentOutOfRangeException(nameof(driftPartsPerMillion), driftPartsPerMillion,
                "The drift must be finite and above -1,000,000 ppm (a clock cannot stop or run backwards).");
        }
        long now = _node.Executor.NowTicks;
        _anchorLocalTicks = LocalTicks(now);
        _anchorGlobalTicks = now;
        _rate = 1.0 + (driftPartsPerMillion / 1e6);
        _offsetTicks = offset.Ticks;
    }

    /// <summary>Converts a duration on this node's clock into global virtual ticks (rounded up, at least 0).</summary>
    internal long LocalToGlobalTicks(long localTicks)
    {
        if (_rate == 1.0)
        {
            return localTicks;
        }
        return (long)Math.Ceiling(localTicks / _rate);
    }

    private long LocalTicks(long globalTicks)
    {
        if (_rate == 1.0)
        {
            return _anchorLocalTicks + (globalTicks - _anchorGlobalTicks);
        }
        return _anchorLocalTicks + (long)((globalTicks - _anchorGlobalTicks) * _rate);
    }
}
