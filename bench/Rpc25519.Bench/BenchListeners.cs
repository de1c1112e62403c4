using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rpc25519.Bench;

/// <summary>
/// <c>--observe none|metrics|traces|all</c>: what listens to Rpc25519's meter and activity source while the benchmark
/// runs in this process. <c>none</c> (the default) is the cost of the instruments with nobody listening; the others
/// attach what an exporter would (a meter listener that sums every measurement; an activity listener that records
/// every span and drops it), to show what listening costs. Server child processes (the allocation split, abuse) run
/// without listeners.
/// </summary>
internal sealed class BenchListeners : IDisposable
{
    private readonly MeterListener? _meters;
    private readonly ActivityListener? _activities;
    private long _measurements;
    private long _spans;

    private BenchListeners(bool metrics, bool traces)
    {
        if (metrics)
        {
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name.StartsWith("Rpc25519", StringComparison.Ordinal))
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
            _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
            _meters.Start();
        }
        if (traces)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == Rpc25519.Diagnostics.RpcDiagnostics.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ => Interlocked.Increment(ref _spans),
            };
            ActivitySource.AddActivityListener(_activities);
        }
    }

    /// <summary>Attaches the listeners <paramref name="observe"/> names.</summary>
    /// <exception cref="ArgumentException">Not one of none, metrics, traces, all.</exception>
    public static BenchListeners Attach(string observe) => observe switch
    {
        "none" => new BenchListeners(false, false),
        "metrics" => new BenchListeners(true, false),
        "traces" => new BenchListeners(false, true),
        "all" => new BenchListeners(true, true),
        _ => throw new ArgumentException($"--observe takes none, metrics, traces or all, not '{observe}'."),
    };

    /// <summary>What the listeners saw, for the last line of the report (so a run shows they were attached).</summary>
    public string Summary() => _meters is null && _activities is null
        ? "observe: none (no listener attached)"
        : $"observe: {Interlocked.Read(ref _measurements):N0} measurements, {Interlocked.Read(ref _spans):N0} spans";

    public void Dispose()
    {
        _meters?.Dispose();
        _activities?.Dispose();
    }
}
