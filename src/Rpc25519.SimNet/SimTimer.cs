namespace Rpc25519.SimNet;

/// <summary>
/// A timer on virtual time, made by <see cref="VirtualTimeProvider.CreateTimer"/>. When due, its callback is queued to
/// the executor as work of the process that created it; a crash of that process cancels it.
/// </summary>
internal sealed class SimTimer : SimEvent, ITimer
{
    private static readonly TimerCallback InvokeCallback = static state => ((SimTimer)state!).Invoke();

    private readonly VirtualTimeProvider _clock;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private long _periodTicks;
    private bool _disposed;

    public SimTimer(VirtualTimeProvider clock, SimProcess process, TimerCallback callback, object? state)
        : base(process)
    {
        _clock = clock;
        _callback = callback;
        _state = state;
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        Validate(dueTime, nameof(dueTime));
        Validate(period, nameof(period));
        if (_disposed)
        {
            return false;
        }
        Version++;
        _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            SimExecutor executor = Process.Executor;
            executor.ScheduleAt(executor.NowTicks + _clock.LocalToGlobalTicks(dueTime.Ticks), this, Version);
        }
        return true;
    }

    public override void Fire(SimExecutor executor)
    {
        executor.Enqueue(Process, TraceKind.Timer, InvokeCallback, this, null, null);
        if (_periodTicks > 0)
        {
            executor.ScheduleAt(executor.NowTicks + _clock.LocalToGlobalTicks(_periodTicks), this, Version);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Version++;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Invoke()
    {
        // A real timer may still call back once after Dispose; a virtual one need not, so it does not.
        if (!_disposed)
        {
            _callback(_state);
        }
    }

    private static void Validate(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "A timer time must be non-negative or infinite.");
        }
    }
}
