namespace Rpc25519.SimNet;

/// <summary>
/// The one armed event of a connection direction: it fires at the arrival time of the earliest message in flight,
/// hands every arrived message to the network, and re-arms for the next one. One event per direction keeps the timer
/// heap small however many messages are in flight.
/// </summary>
internal sealed class LinkDeliveryEvent : SimEvent
{
    private readonly SimConnection _origin;
    private long _armedTicks = long.MaxValue;

    public LinkDeliveryEvent(SimProcess networkProcess, SimConnection origin) : base(networkProcess)
    {
        _origin = origin;
    }

    /// <summary>Makes sure the event fires no later than <paramref name="arrivalTicks"/>.</summary>
    public void EnsureArmed(long arrivalTicks)
    {
        if (arrivalTicks >= _armedTicks)
        {
            return;
        }
        Version++;
        _armedTicks = arrivalTicks;
        Process.Executor.ScheduleAt(arrivalTicks, this, Version);
    }

    public override void Fire(SimExecutor executor)
    {
        _armedTicks = long.MaxValue;
        _origin.DeliverArrived(executor.NowTicks);
    }
}
