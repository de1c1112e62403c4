using System.Diagnostics;

namespace Rpc25519.SimNet;

/// <summary>
/// The deterministic executor: one thread runs every node's work from a ready queue, one item per step; when nothing
/// is ready, virtual time jumps to the earliest armed event. Because only this thread enqueues, the order of the queue,
/// and so of the whole run, is a function of the seed.
/// </summary>
/// <remarks>
/// Thread-safety: all members must be called on the simulation thread, except that a call to <see cref="Enqueue"/>
/// from another thread is accepted only to be reported as an escape (see <see cref="ReportForeign"/>).
/// </remarks>
internal sealed partial class SimExecutor
{
    private readonly SimTrace _trace;
    private readonly SimRandom _scheduleRandom;
    private readonly ScheduleMode _mode;
    private readonly int _readyItemsMax;
    private readonly PriorityQueue<(SimEvent Event, int Version), TimerKey> _events = new();
    private readonly object _foreignLock = new();
    private WorkItem[] _ready = new WorkItem[256];
    private int _readyHead;
    private int _readyCount;
    private long _sequence;
    private int _threadId;
    private readonly ManualResetEventSlim _foreignArrived = new();
    private volatile string? _foreignReport;

    public SimExecutor(SimTrace trace, SimRandom scheduleRandom, ScheduleMode mode, int readyItemsMax)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(scheduleRandom);
        ArgumentOutOfRangeException.ThrowIfLessThan(readyItemsMax, 1);
        _trace = trace;
        _scheduleRandom = scheduleRandom;
        _mode = mode;
        _readyItemsMax = readyItemsMax;
        _threadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>Virtual time in ticks (100 ns) since <see cref="VirtualTimeProvider.Epoch"/>; never
    /// decreases.</summary>
    public long NowTicks { get; private set; }

    /// <summary>Work items run so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Work items skipped because their process had been killed.</summary>
    public long SkippedDead { get; private set; }

    /// <summary>Ready items waiting now.</summary>
    public int ReadyCount => _readyCount;

    /// <summary>Armed events (timers, deliveries) including stale ones not yet popped.</summary>
    public int EventCount => _events.Count;

    /// <summary>Steps between two calls of <see cref="Checkpoint"/>; 0 for none.</summary>
    public long CheckpointInterval { get; set; }

    /// <summary>Called between steps every <see cref="CheckpointInterval"/> steps.</summary>
    public Action<SimCheckpoint>? Checkpoint { get; set; }

    /// <summary>The process whose work item is running, or null between items.</summary>
    public SimProcess? CurrentProcess { get; private set; }

    /// <summary>The process that due events (network deliveries, dial steps) are attributed to while they fire.
    /// </summary>
    public SimProcess? InfrastructureProcess { get; set; }

    public SimTrace Trace => _trace;

    public bool IsSimulationThread => Environment.CurrentManagedThreadId == _threadId;

    /// <summary>The first foreign-thread report, or null while none arrived.</summary>
    public string? ForeignReport => _foreignReport;

    /// <summary>Makes the calling thread the simulation thread (at the start of a run).</summary>
    public void BindToCurrentThread() => _threadId = Environment.CurrentManagedThreadId;

    /// <summary>Adds a work item at the tail of the ready queue.</summary>
    /// <exception cref="SimulationException">The ready queue is over its limit (a runaway producer).</exception>
    public void Enqueue(SimProcess process, TraceKind kind, Delegate? callback, object? state, Task? task, string? note)
    {
        if (!IsSimulationThread)
        {
            ReportForeign("work queued to the simulation", callback, state ?? task);
            return;
        }
        if (!process.IsAlive)
        {
            SkippedDead++;
            return;
        }
        if (_readyCount == _readyItemsMax)
        {
            throw new SimulationException(
                $"The ready queue reached its limit of {_readyItemsMax} items (SimulationOptions.ReadyItemsMax): " +
                "some " +
                "code posts work faster than it runs, or the limit is too small for this workload.");
        }
        if (_readyCount == _ready.Length)
        {
            GrowReady();
        }
        int tail = (_readyHead + _readyCount) & (_ready.Length - 1);
        _ready[tail] = new WorkItem
        {
            Process = process, Sequence = _sequence++, Kind = kind, Callback = callback, State = state, Task = task,
            Note = note,
        };
        _readyCount++;
    }

    /// <summary>Arms <paramref name="simEvent"/> to fire at <paramref name="dueTicks"/> (clamped to now).</summary>
    public void ScheduleAt(long dueTicks, SimEvent simEvent, int version)
    {
        if (!IsSimulationThread)
        {
            ReportForeign("a virtual timer armed", null, simEvent);
            return;
        }
        long due = Math.Max(dueTicks, NowTicks);
        _events.Enqueue((simEvent, version), new TimerKey(due, _sequence++));
    }

    /// <summary>Report simulation code that starts running on another thread (see
    /// <see cref="ForeignExecutionDetector"/>).</summary>
    public bool DetectForeignThreads { get; set; }

    /// <summary>Records simulation code running on a foreign thread as an escape; the run fails at its next step.
    /// </summary>
    public void ReportForeignExecution(string what)
    {
        var thread = Thread.CurrentThread;
        string where = thread.IsThreadPoolThread ? "a thread-pool thread" : $"thread '{thread.Name ?? "unnamed"}'";
        KeepFirstReport($"Escape: simulation code started running on {where} (managed id " +
            $"{thread.ManagedThreadId}), not on the simulation thread: {what}. Start node work on the node's " +
            "TaskScheduler, await without ConfigureAwait(false), and take timers from the node's TimeProvider.");
    }

    /// <summary>Records a foreign-thread interaction as an escape; the run fails at its next step.</summary>
    public void ReportForeign(string what, object? callback, object? state)
    {
        var thread = Thread.CurrentThread;
        string pool = thread.IsThreadPoolThread ? "a thread-pool thread" : $"thread '{thread.Name ?? "unnamed"}'";
        string origin = DescribeOrigin(callback, state);
        string report = $"Escape: {what} from {pool} (managed id {thread.ManagedThreadId}), not from the simulation " +
            $"thread; it resumes {origin}. Probable cause: Task.Run/ThreadPool/new Thread, ConfigureAwait(false), or " +
            "a real timer (Task.Delay, CancellationTokenSource or Timer without the node's TimeProvider) in that code.";
        KeepFirstReport(report);
    }

    /// <summary>Keeps the first escape report (any thread) and wakes a run waiting for one.</summary>
    private void KeepFirstReport(string report)
    {
        lock (_foreignLock)
        {
            _foreignReport ??= report;
        }
        _foreignArrived.Set();
    }

    /// <summary>
    /// At quiescence, waits up to <paramref name="grace"/> of real time for a foreign post that may be on its way
    /// (work that escaped to the pool finishes in real time), so the failure names the escape, not a deadlock.
    /// </summary>
    public string? AwaitForeignReport(TimeSpan grace)
    {
        _foreignArrived.Wait(grace);
        return _foreignReport;
    }

    /// <summary>Runs steps until <paramref name="isDone"/> holds or nothing can ever run again.</summary>
    /// <returns>True when <paramref name="isDone"/> held; false when the run went quiescent (no work, no
    /// events).</returns>
    /// <exception cref="SimulationException">A limit was hit, an escape was detected, or a work item threw.</exception>
    public bool RunUntil(Func<bool> isDone, RunLimits limits, EscapeDetector? escapes)
    {
        BindToCurrentThread();
        while (true)
        {
            if (_foreignReport is { } foreign)
            {
                throw new SimulationEscapeException(foreign);
            }
            if (isDone())
            {
                return true;
            }
            if (_readyCount > 0)
            {
                if (Steps >= limits.StepsMax)
                {
                    throw new SimulationException(
                        $"Step limit of {limits.StepsMax} reached (SimulationOptions.StepsMax) before the run " +
                        "finished.");
                }
                RunOne();
                continue;
            }
            if (escapes?.CheckIdle() is { } escape)
            {
                throw new SimulationEscapeException(escape);
            }
            if (!AdvanceTime(limits.TimeMaxTicks))
            {
                return false;
            }
        }
    }

    /// <summary>The tasks of <paramref name="process"/> waiting in the ready queue (for debuggers).</summary>
    public IEnumerable<Task> QueuedTasks(SimProcess process)
    {
        var result = new List<Task>();
        for (int i = 0; i < _readyCount; i++)
        {
            ref WorkItem item = ref _ready[(_readyHead + i) & (_ready.Length - 1)];
            if (item.Task is { } task && ReferenceEquals(item.Process, process))
            {
                result.Add(task);
            }
        }
        return result;
    }

    /// <summary>Checks the queue bookkeeping (debug builds; the loop runs this after every step).</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_readyCount >= 0 && _readyCount <= _ready.Length, "ready count within the ring");
        Debug.Assert((_ready.Length & (_ready.Length - 1)) == 0, "ring size is a power of two (masking relies on it)");
        Debug.Assert(_readyHead >= 0 && _readyHead < _ready.Length, "ready head inside the ring");
    }

    private void RunOne()
    {
        int pick = 0;
        if (_mode == ScheduleMode.Random && _readyCount > 1)
        {
            pick = (int)_scheduleRandom.NextUInt64((ulong)_readyCount);
        }
        int mask = _ready.Length - 1;
        if (pick != 0)
        {
            (_ready[_readyHead], _ready[(_readyHead + pick) & mask]) =
                (_ready[(_readyHead + pick) & mask], _ready[_readyHead]);
        }
        WorkItem item = _ready[_readyHead];
        _ready[_readyHead] = default;
        _readyHead = (_readyHead + 1) & mask;
        _readyCount--;
        if (!item.Process.IsAlive)
        {
            SkippedDead++;
            return;
        }
        Steps++;
        _trace.Record(Steps, NowTicks, item.Process.NodeId, item.Kind, item.Sequence, item.Note);
        Execute(in item);
        AssertInvariants();
        if (CheckpointInterval > 0 && Steps % CheckpointInterval == 0)
        {
            Checkpoint?.Invoke(new SimCheckpoint(Steps, TimeSpan.FromTicks(NowTicks), _trace.Hash));
        }
    }

    private void Execute(in WorkItem item)
    {
        SimProcess process = item.Process;
        CurrentProcess = process;
        SynchronizationContext.SetSynchronizationContext(process.Context);
        try
        {
            switch (item.Kind)
            {
                case TraceKind.Task:
                    process.Scheduler.Execute(item.Task!);
                    break;
                case TraceKind.Post:
                    ((SendOrPostCallback)item.Callback!)(item.State);
                    break;
                case TraceKind.Timer:
                    ((TimerCallback)item.Callback!)(item.State);
                    break;
                default:
                    ((Action<object?>)item.Callback!)(item.State);
                    break;
            }
        }
        catch (Exception exception) when (exception is not SimulationException)
        {
            throw new SimulationException(
                $"Unhandled exception in a {item.Kind} work item of node '{process.NodeName}' " +
                $"(incarnation {process.Incarnation}): {exception.GetType().Name}: {exception.Message}", exception);
        }
        finally
        {
            CurrentProcess = null;
        }
    }

    private bool AdvanceTime(long timeMaxTicks)
    {
        while (_events.TryPeek(out var entry, out TimerKey key))
        {
            if (entry.Version != entry.Event.Version || !entry.Event.Process.IsAlive)
            {
                _events.Dequeue();
                continue;
            }
            if (key.DueTicks > timeMaxTicks)
            {
                throw new SimulationException(
                    $"Virtual time limit of {TimeSpan.FromTicks(timeMaxTicks)} (SimulationOptions.VirtualTimeMax) " +
                    "reached before the run finished.");
            }
            if (key.DueTicks < NowTicks)
            {
                // ScheduleAt clamps every due time to now, so an earlier one means the heap or the clamp is broken.
                throw new SimulationException($"SimNet bug: an event is due at {key.DueTicks} ticks, before now " +
                    $"({NowTicks}); virtual time must never run backwards.");
            }
            if (key.DueTicks > NowTicks)
            {
                NowTicks = key.DueTicks;
                _trace.Record(Steps, NowTicks, 0, TraceKind.TimeAdvance, NowTicks);
            }
            CurrentProcess = InfrastructureProcess;
            SynchronizationContext.SetSynchronizationContext(InfrastructureProcess?.Context);
            try
            {
                FireDue();
            }
            finally
            {
                CurrentProcess = null;
            }
            return true;
        }
        return false;
    }

    private void FireDue()
    {
        while (_events.TryPeek(out var entry, out TimerKey key) && key.DueTicks <= NowTicks)
        {
            _events.Dequeue();
            if (entry.Version == entry.Event.Version && entry.Event.Process.IsAlive)
            {
                entry.Event.Fire(this);
            }
        }
    }

    private void GrowReady()
    {
        var bigger = new WorkItem[_ready.Length * 2];
        for (int i = 0; i < _readyCount; i++)
        {
            bigger[i] = _ready[(_readyHead + i) & (_ready.Length - 1)];
        }
        _ready = bigger;
        _readyHead = 0;
    }

    private static string DescribeOrigin(object? callback, object? state)
    {
        // An await continuation carries the async state machine box (directly, or as the target of a MoveNext
        // delegate); the box's type name contains the name of the async method that would resume.
        object?[] candidates = [state, (state as Delegate)?.Target, (callback as Delegate)?.Target];
        foreach (object? candidate in candidates)
        {
            string? name = candidate?.GetType().FullName;
            if (name is not null && name.Contains("AsyncStateMachineBox", StringComparison.Ordinal))
            {
                System.Text.RegularExpressions.Match method = AsyncMethodName().Match(name);
                return method.Success ? $"the async method '{method.Groups[1].Value}'" : name;
            }
        }
        if (callback is Delegate d)
        {
            return $"the callback '{d.Method.DeclaringType?.Name}.{d.Method.Name}'";
        }
        return state is null ? "unknown code" : $"work of type '{state.GetType().Name}'";
    }

    // Compiler-generated state machines are named "<Method>d__N"; lambdas inside them add "<>c" frames before it.
    [System.Text.RegularExpressions.GeneratedRegex(@"<([^<>]+)>d__")]
    private static partial System.Text.RegularExpressions.Regex AsyncMethodName();
}
