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

    /// <summary>Returns a report if something escaped; always checks.</summary>
    public string? Check(string where)
    {
        if ((_checks & EscapeChecks.RealTimers) != 0)
        {
            long timers = Timer.ActiveCount;
            if (timers > _timersAtStart)
            {
                return $"Escape {where}: {timers - _timersAtStart} real System.Threading.Timer(s) were created " +
                    "during " +
                    "the run and are still alive. Probable cause: Task.Delay(...) or Task.WaitAsync(...) without a " +
                    "TimeProvider, new CancellationTokenSource(TimeSpan), CancelAfter, or a System.Threading.Timer; " +
                    "pass the node's TimeProvider instead.";
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
