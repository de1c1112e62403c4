using System.Diagnostics;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>What one line of the table measured in one round.</summary>
internal sealed record LineResult(double OpsPerSecond, double P50Ms, double P99Ms, long Errors, FsyncCounters? Fsyncs,
    long Ops, string? FirstError = null)
{
    /// <summary>Fsyncs per group-commit batch, summed over the members (Tube only).</summary>
    public double? FsyncsPerBatch => Fsyncs is { Batches: > 0 } f ? (double)f.Syncs / f.Batches : null;

    /// <summary>Operations per fsync of the member that fsynced most (the leader).</summary>
    public double? OpsPerLeaderFsync => Fsyncs is { LeaderSyncs: > 0 } f ? (double)Ops / f.LeaderSyncs : null;
}

/// <summary>
/// A closed loop: <c>callers</c> tasks each run one operation after another against the target; a warm-up, then a
/// timed window in which every completed operation's latency is recorded. Bounded by the window: at its end the
/// callers' token is cancelled, which ends the operations still running.
/// </summary>
internal static class LoadLine
{
    public static async Task<LineResult> RunAsync(IKvTarget target, int callers, TimeSpan warmUp, TimeSpan window,
        Func<int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        FsyncCounters? before = null;
        long started = 0;
        long measureUntil = long.MaxValue;
        bool measuring = false;
        var latencies = new List<long>[callers];
        long errors = 0;
        string? firstError = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Caller(int caller)
        {
            var mine = latencies[caller] = new List<long>(4096);
            while (!stop.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(caller, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    if (Volatile.Read(ref measuring))
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                    }

                    continue;
                }

                long end = Stopwatch.GetTimestamp();
                if (Volatile.Read(ref measuring) && start >= Volatile.Read(ref started) && end <= Volatile.Read(ref measureUntil))
                {
                    mine.Add(end - start);
                }
            }
        }

        Task all = Task.WhenAll(Enumerable.Range(0, callers).Select(Caller));
        await Task.Delay(warmUp, cancellationToken);
        before = await target.ReadCountersAsync(cancellationToken);
        Volatile.Write(ref started, Stopwatch.GetTimestamp());
        Volatile.Write(ref measuring, true);
        await Task.Delay(window, cancellationToken);
        long until = Stopwatch.GetTimestamp();
        Volatile.Write(ref measureUntil, until);
        FsyncCounters? after = await target.ReadCountersAsync(cancellationToken);
        await stop.CancelAsync();
        await all;
        double seconds = Stopwatch.GetElapsedTime(started, until).TotalSeconds;
        long[] sorted = [.. latencies.SelectMany(l => l)];
        Array.Sort(sorted);
        double Percentile(double p) => sorted.Length == 0
            ? double.NaN
            : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
        FsyncCounters? fsyncs = before is { } b && after is { } a ? a - b : null;
        return new LineResult(sorted.Length / seconds, Percentile(0.50), Percentile(0.99), errors, fsyncs, sorted.Length, firstError);
    }
}
