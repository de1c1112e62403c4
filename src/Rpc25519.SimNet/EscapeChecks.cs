namespace Rpc25519.SimNet;

/// <summary>
/// Which signs of escaped work fail a run. Posts from a foreign thread are always an escape.
/// <see cref="ForeignThreads"/> is precise and per simulation. <see cref="RealTimers"/> and <see cref="ThreadPool"/>
/// read process-wide counters, so runs that use them must not share the process with concurrent work (put such tests
/// in one non-parallel collection, or better, in a process of their own: a test host arms timers and runs pool work
/// of its own).
/// </summary>
[Flags]
public enum EscapeChecks
{
    /// <summary>Only foreign-thread posts are detected.</summary>
    None = 0,

    /// <summary>A real <see cref="System.Threading.Timer"/> created during the run is still alive at an idle point
    /// (a <c>Task.Delay</c>, <c>CancellationTokenSource</c> or timer without the node's TimeProvider).</summary>
    RealTimers = 1,

    /// <summary>Thread-pool work items were queued or completed during the run (<c>Task.Run</c>, <c>ThreadPool</c>,
    /// <c>ConfigureAwait(false)</c>, timer callbacks).</summary>
    ThreadPool = 2,

    /// <summary>
    /// Simulation code started running on another thread: a task on the thread pool (<c>Task.Run</c>,
    /// <c>Task.Factory.StartNew</c> without the node's scheduler, fire-and-forget or blocked on), a
    /// <c>ThreadPool.QueueUserWorkItem</c> callback, a new <c>Thread</c>, a real timer's callback, or an await
    /// continuation that left the node's context (<c>ConfigureAwait(false)</c>). Detected through the run's
    /// execution context, not process-wide counters, so it is reliable in any host. Misses work started with
    /// execution-context flow suppressed (<c>UnsafeQueueUserWorkItem</c>).
    /// </summary>
    ForeignThreads = 4,

    /// <summary>The default: <see cref="RealTimers"/> and <see cref="ForeignThreads"/>.</summary>
    Default = RealTimers | ForeignThreads,

    /// <summary>All checks.</summary>
    All = RealTimers | ThreadPool | ForeignThreads,
}
