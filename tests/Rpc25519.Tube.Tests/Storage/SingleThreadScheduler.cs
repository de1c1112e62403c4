namespace Rpc25519.Tube.Tests.Storage;

/// <summary>
/// A single-threaded, deterministic task scheduler in the style of SimNet's executor: queued tasks run one at a
/// time, in FIFO order, on the thread that calls <see cref="Run"/>. Shows the storage needs no thread of its own.
/// </summary>
internal sealed class SingleThreadScheduler : TaskScheduler
{
    private readonly Queue<Task> queue = new();

    public int Steps { get; private set; }

    /// <summary>Starts <paramref name="work"/> on this scheduler and runs queued tasks until it completes. Throws
    /// if the queue empties first: the work then waits on something that never comes (a deadlock).</summary>
    public void Run(Func<Task> work, int stepsMax = 10_000_000)
    {
        // The test runner installs its own synchronization context, which awaits would prefer to this scheduler.
        var outer = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            RunUnderScheduler(work, stepsMax);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(outer);
        }
    }

    private void RunUnderScheduler(Func<Task> work, int stepsMax)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, this).Unwrap();
        while (!task.IsCompleted)
        {
            if (queue.Count == 0)
            {
                throw new InvalidOperationException("Nothing left to run but the work is not done: a deadlock.");
            }

            if (++Steps > stepsMax)
            {
                throw new InvalidOperationException($"The work did not finish within {stepsMax} steps.");
            }

            TryExecuteTask(queue.Dequeue());
        }

        task.GetAwaiter().GetResult();
    }

    protected override void QueueTask(Task task) => queue.Enqueue(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => queue.ToArray();
}
