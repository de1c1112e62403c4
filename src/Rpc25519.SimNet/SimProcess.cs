namespace Rpc25519.SimNet;

/// <summary>
/// One incarnation of a node: the contexts its code runs under between a power-on and the next power-off. Powering
/// a node off kills its process, so the process's queued work, timers and pending continuations vanish (a true crash);
/// powering it on creates a fresh process.
/// </summary>
/// <remarks>Not thread-safe: used only on the simulation thread (posts from other threads are escapes).</remarks>
internal sealed class SimProcess
{
    public SimProcess(SimExecutor executor, int nodeId, string nodeName, int incarnation)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfNegative(incarnation);
        Executor = executor;
        NodeId = nodeId;
        NodeName = nodeName;
        Incarnation = incarnation;
        Context = new SimSynchronizationContext(this);
        Scheduler = new SimTaskScheduler(this);
        PipeScheduler = new SimPipeScheduler(this);
        IsAlive = true;
    }

    public SimExecutor Executor { get; }

    public int NodeId { get; }

    public string NodeName { get; }

    /// <summary>0 for the first power-on, then one more per power cycle.</summary>
    public int Incarnation { get; }

    /// <summary>False once the node lost power; the process never runs again.</summary>
    public bool IsAlive { get; private set; }

    public SimSynchronizationContext Context { get; }

    public SimTaskScheduler Scheduler { get; }

    public SimPipeScheduler PipeScheduler { get; }

    /// <summary>Kills the process: nothing it queued or armed will run.</summary>
    public void Kill()
    {
        IsAlive = false;
    }

    public override string ToString() => $"{NodeName}#{Incarnation}";
}
