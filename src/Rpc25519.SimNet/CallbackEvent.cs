namespace Rpc25519.SimNet;

/// <summary>A one-shot virtual-time event that runs a callback directly when due (network internals: dial steps,
/// stall resets). It dies with its owning process.</summary>
internal sealed class CallbackEvent : SimEvent
{
    private readonly Action<object?> _callback;
    private readonly object? _state;

    public CallbackEvent(SimProcess process, Action<object?> callback, object? state) : base(process)
    {
        _callback = callback;
        _state = state;
    }

    /// <summary>Arms the event <paramref name="delayTicks"/> from now.</summary>
    public CallbackEvent Arm(long delayTicks)
    {
        Version++;
        Process.Executor.ScheduleAt(Process.Executor.NowTicks + delayTicks, this, Version);
        return this;
    }

    /// <summary>Makes a pending firing stale.</summary>
    public void Cancel() => Version++;

    public override void Fire(SimExecutor executor) => _callback(_state);
}
