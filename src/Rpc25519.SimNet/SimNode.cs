namespace Rpc25519.SimNet;

/// <summary>
/// One simulated machine: its clock (<see cref="TimeProvider"/>), its application randomness (<see cref="Random"/>),
/// and the scheduler its code runs on (<see cref="TaskScheduler"/>). Put these three into the node's <c>RpcOptions</c>.
/// A power cycle replaces the scheduler (the old process is gone), so build a new config after power-on.
/// </summary>
/// <remarks>Thread-safety: use only on the simulation thread (or before the first run).</remarks>
public sealed class SimNode
{
    internal SimNode(SimExecutor executor, int id, string name, SimRandom random)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Executor = executor;
        Id = id;
        Name = name;
        Random = random;
        TimeProvider = new VirtualTimeProvider(this);
        Process = new SimProcess(executor, id, name, 0);
    }

    /// <summary>Small dense number of the node; 0 is the simulation's own driver node.</summary>
    public int Id { get; }

    /// <summary>The node's name, also its host name in network addresses.</summary>
    public string Name { get; }

    /// <summary>The node's clock, including any clock-skew fault.</summary>
    public VirtualTimeProvider TimeProvider { get; }

    /// <summary>The node's application randomness, a sub-stream of the seed; it survives power cycles.</summary>
    public SimRandom Random { get; }

    /// <summary>The scheduler of the node's current process; hand it to <c>RpcOptions.TaskScheduler</c>.</summary>
    public TaskScheduler TaskScheduler => Process.Scheduler;

    /// <summary>The synchronization context the node's code runs under in its current process.</summary>
    public SynchronizationContext SynchronizationContext => Process.Context;

    /// <summary>False between a power-off and the next power-on.</summary>
    public bool IsPoweredOn => Process.IsAlive;

    /// <summary>How many times the node was powered on again after a power-off.</summary>
    public int Incarnation => Process.Incarnation;

    internal SimExecutor Executor { get; }

    internal SimProcess Process { get; private set; }

    /// <summary>Starts <paramref name="work"/> as code of this node: it and all its continuations run under the
    /// node's current process, so they vanish if the node loses power.</summary>
    /// <param name="work">The node's code.</param>
    /// <returns>A task that completes with <paramref name="work"/>'s task.</returns>
    public Task Start(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler)
            .Unwrap();
    }

    /// <summary>Starts <paramref name="work"/> as code of this node and returns its result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The node's code.</param>
    public Task<T> Start<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler)
            .Unwrap();
    }

    /// <summary>Kills the current process: its queued work, timers and continuations never run.</summary>
    /// <returns>False when the node was already off.</returns>
    internal bool PowerOff()
    {
        if (!Process.IsAlive)
        {
            return false;
        }
        Process.Kill();
        Executor.Trace.Record(Executor.Steps, Executor.NowTicks, Id, TraceKind.PowerOff, Process.Incarnation);
        return true;
    }

    /// <summary>Boots a fresh process.</summary>
    /// <returns>False when the node was already on.</returns>
    internal bool PowerOn()
    {
        if (Process.IsAlive)
        {
            return false;
        }
        Process = new SimProcess(Executor, Id, Name, Process.Incarnation + 1);
        Executor.Trace.Record(Executor.Steps, Executor.NowTicks, Id, TraceKind.PowerOn, Process.Incarnation);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
