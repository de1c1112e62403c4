namespace Rpc25519.SimNet;

/// <summary>
/// Something due at a virtual time: a timer, a network delivery, a fault's end. When virtual time reaches it, the
/// executor calls <see cref="Fire"/>, which enqueues the real work; nothing runs on a foreign thread.
/// </summary>
internal abstract class SimEvent
{
    protected SimEvent(SimProcess process)
    {
        Process = process;
    }

    /// <summary>The process whose crash cancels this event.</summary>
    public SimProcess Process { get; }

    /// <summary>Bumped whenever the event is re-armed or cancelled; heap entries with an old version are
    /// stale.</summary>
    public int Version { get; protected set; }

    /// <summary>Called on the simulation thread when virtual time reaches the event's due time.</summary>
    public abstract void Fire(SimExecutor executor);
}
