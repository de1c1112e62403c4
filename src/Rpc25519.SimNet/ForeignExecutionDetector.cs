using System.Diagnostics;

namespace Rpc25519.SimNet;

/// <summary>
/// Detects simulation code that starts running on another thread, precisely and per simulation: a run puts a marker
/// (its executor) into the execution context of the simulation thread, so every piece of work the simulation's code
/// creates captures it. Thread-pool work items, <c>Task.Run</c>, timer callbacks, new threads and continuations that
/// left the node's context (<c>ConfigureAwait(false)</c>) all restore that context on the thread they run on, and the
/// runtime tells this class about the change before the work runs. No process-wide counters are read, so other
/// components of the process (a test host) cannot cause false reports.
/// </summary>
/// <remarks>Blind to work started with execution-context flow suppressed (<c>ThreadPool.UnsafeQueueUserWorkItem</c>,
/// <c>ExecutionContext.SuppressFlow</c>) and to clock reads such as <c>DateTime.UtcNow</c>; the analyzer covers those.
/// Thread-safety: the change handler runs on any thread and only reports to the executor's thread-safe report slot.
/// </remarks>
internal static class ForeignExecutionDetector
{
    private static readonly AsyncLocal<SimExecutor?> Current = new(OnChanged);

    /// <summary>Marks the calling thread's execution context as the simulation's (null: no marker); returns the
    /// previous marker.</summary>
    public static SimExecutor? Enter(SimExecutor? executor)
    {
        SimExecutor? previous = Current.Value;
        Current.Value = executor;
        return previous;
    }

    /// <summary>Restores the marker that <see cref="Enter"/> replaced.</summary>
    public static void Exit(SimExecutor? previous) => Current.Value = previous;

    private static void OnChanged(AsyncLocalValueChangedArgs<SimExecutor?> change)
    {
        if (!change.ThreadContextChanged || change.CurrentValue is not { DetectForeignThreads: true } executor
            || executor.IsSimulationThread)
        {
            return;
        }
        executor.ReportForeignExecution(Describe(new StackTrace(1, false)));
    }

    /// <summary>Names the mechanism from the frames that are about to run the escaped work.</summary>
    private static string Describe(StackTrace stack)
    {
        foreach (StackFrame frame in stack.GetFrames())
        {
            System.Reflection.MethodBase? method = frame.GetMethod();
            string type = method?.DeclaringType?.FullName ?? "";
            string name = method?.Name ?? "";
            if (type.Contains("TimerQueueTimer", StringComparison.Ordinal))
            {
                return "a real System.Threading.Timer callback (a Timer, or a CancellationTokenSource/CancelAfter " +
                    "without the node's TimeProvider)";
            }
            if (type.Contains("QueueUserWorkItemCallback", StringComparison.Ordinal))
            {
                return "a ThreadPool.QueueUserWorkItem callback";
            }
            if (type.Contains("Thread+StartHelper", StringComparison.Ordinal)
                || string.Equals(name, "StartCallback", StringComparison.Ordinal))
            {
                return "a new Thread";
            }
            if (type.Contains("AsyncStateMachineBox", StringComparison.Ordinal)
                || type.Contains("ContinuationWrapper", StringComparison.Ordinal)
                || type.Contains("AwaitTaskContinuation", StringComparison.Ordinal))
            {
                return "an await continuation that resumed off the node's context (ConfigureAwait(false), or an " +
                    "awaited task that completed on another thread)";
            }
            if (type == "System.Threading.Tasks.Task" && name.Contains("Execute", StringComparison.Ordinal))
            {
                return "a task on the thread pool (Task.Run, Task.Factory.StartNew without the node's " +
                    "TaskScheduler, or a ContinueWith on the default scheduler)";
            }
        }
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            return "code on a thread the simulation does not own (a new Thread, or a thread of another component)";
        }
        return "work of unknown kind (" + string.Join(" <- ", stack.GetFrames().Take(4).Select(f =>
            $"{f.GetMethod()?.DeclaringType?.Name}.{f.GetMethod()?.Name}")) + ")";
    }
}
