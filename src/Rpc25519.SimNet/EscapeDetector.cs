namespace Rpc25519.SimNet;

/// <summary>
/// Looks for work that escaped the simulation, at idle points (when virtual time is about to jump) and at the end of a
/// run, by comparing process-wide counters with their values at the start of the run.
/// </summary>
/// <remarks>Not thread-safe: used on the simulation thread.</remarks>
internal sealed class EscapeDetector
{
    private readonly EscapeChecks _checks;
    private readonly int _idleInterval;
    private long _timersAtStart;
    private long _poolCompletedAtStart;
    private long _idlePoints;

    /// <param name="checks">Which checks to run.</param>
    /// <param name="idleInterval">Check at one idle point in this many (1 = every one); the counters cost
    /// locks.</param>
    public EscapeDetector(EscapeChecks checks, int idleInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(idleInterval, 1);
        _checks = checks;
        _idleInterval = idleInterval;
    }

    /// <summary>How long an excess of real timers must last before it is reported: the count is process-wide, and
    /// other components of the process (a test host reporting results, for one) arm timers of their own for a
    /// moment. A timer made by simulated code lasts as long as its delay, which this wait does not reach.</summary>
    private static readonly TimeSpan TimerConfirmation = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan TimerRecheck = TimeSpan.FromMilliseconds(10);

    /// <summary>Takes the baseline counters at the start of a run.</summary>
    public void Start()
    {
        _timersAtStart = Timer.ActiveCount;
#pragma warning disable RS0030 // Reading the pool's counters is how escapes are detected; nothing is queued.
        _poolCompletedAtStart = System.Threading.ThreadPool.CompletedWorkItemCount;
#pragma warning restore RS0030
        _idlePoints = 0;
    }

    /// <summary>Returns a report if something escaped, checking only at every <c>idleInterval</c>-th call.</summary>
    public string? CheckIdle()
    {
        _idlePoints++;
        return _idlePoints % _idleInterval == 0 ? Check("at an idle point") : null;
    }

    /// <summary>True if the timer count stays above its value at the start for <see cref="TimerConfirmation"/> of
    /// real time (checked every <see cref="TimerRecheck"/>); <paramref name="timers"/> gets the last count. Runs only
    /// when an excess was seen, so a clean run never waits.</summary>
    private bool StaysAboveStart(ref long timers)
    {
        for (TimeSpan waited = TimeSpan.Zero; waited < TimerConfirmation; waited += TimerRecheck)
        {
#pragma warning disable RS0030 // The simulator's own real-time wait, on its thread, only when an escape is suspected.
            Thread.Sleep(TimerRecheck);
#pragma warning restore RS0030
            timers = Timer.ActiveCount;
            if (timers <= _timersAtStart)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns a report if something escaped; always checks.</summary>
    public string? Check(string where)
    {
        if ((_checks & EscapeChecks.RealTimers) != 0)
        {
            long timers = Timer.ActiveCount;
            if (timers > _timersAtStart && StaysAboveStart(ref timers))
            {
                return $"Escape {where}: {timers - _timersAtStart} real System.Threading.Timer(s) were created " +
                    "during " +
                    "the run and are still alive. Probable cause: Task.Delay(...) or Task.WaitAsync(...) without a " +
                    "TimeProvider, new CancellationTokenSource(TimeSpan), CancelAfter, or a System.Threading.Timer; " +
                    "pass the node's TimeProvider instead. (The count is process-wide: if nothing in the run can " +
                    "have made it, another component of this process did; run such tests in their own process.)";
            }
        }
        if ((_checks & EscapeChecks.ThreadPool) != 0)
        {
#pragma warning disable RS0030 // Reading the pool's counters is how escapes are detected; nothing is queued.
            long pending = System.Threading.ThreadPool.PendingWorkItemCount;
            long completed = System.Threading.ThreadPool.CompletedWorkItemCount - _poolCompletedAtStart;
#pragma warning restore RS0030
            if (pending > 0 || completed > 0)
            {
                return $"Escape {where}: thread-pool work during the run ({pending} pending, {completed} completed). " +
                    "Probable cause: Task.Run, ThreadPool.QueueUserWorkItem, Task.Factory.StartNew without the " +
                    "node's " +
                    "TaskScheduler, ConfigureAwait(false), or a real timer's callback.";
            }
        }
        return null;
    }
}
