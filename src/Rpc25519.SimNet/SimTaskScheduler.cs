namespace Rpc25519.SimNet;

/// <summary>
/// The task scheduler of a node's process: tasks started on it (<c>Task.Factory.StartNew(..., scheduler)</c>, and
/// library work started on <c>RpcOptions.TaskScheduler</c>) are queued to the executor.
/// </summary>
internal sealed class SimTaskScheduler : TaskScheduler
{
    private readonly SimProcess _process;

    public SimTaskScheduler(SimProcess process)
    {
        _process = process;
    }

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs <paramref name="task"/> now; called by the executor when the task's turn comes.</summary>
    public void Execute(Task task) => TryExecuteTask(task);

    protected override void QueueTask(Task task)
    {
        _process.Executor.Enqueue(_process, TraceKind.Task, null, null, task, null);
    }

    // Inlining is allowed only on the simulation thread while this process is the one running; anything else queues.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
    {
        if (taskWasPreviouslyQueued)
        {
            return false;
        }
        SimExecutor executor = _process.Executor;
        return executor.IsSimulationThread && ReferenceEquals(executor.CurrentProcess, _process)
            && TryExecuteTask(task);
    }

    protected override IEnumerable<Task>? GetScheduledTasks() => _process.Executor.QueuedTasks(_process);
}
