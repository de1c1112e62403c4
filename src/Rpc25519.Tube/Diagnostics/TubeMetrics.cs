using System.Diagnostics.Metrics;

namespace Rpc25519.Tube.Diagnostics;

/// <summary>Tube's instruments (see <see cref="TubeDiagnostics"/>). Recordings check <see cref="Instrument.Enabled"/>
/// first, so with nobody listening the host loop and the log writer read no clock.</summary>
internal static class TubeMetrics
{
    private static readonly Meter Meter = new(TubeDiagnostics.MeterName,
        typeof(TubeMetrics).Assembly.GetName().Version?.ToString());

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>("tube.commit.duration",
        "s", "From a client command's proposal on the leader to its apply.");

    public static readonly Histogram<double> FsyncDuration = Meter.CreateHistogram<double>("tube.wal.fsync.duration",
        "s", "The fsync that ends a write-ahead-log group-commit batch.");

    public static readonly Histogram<long> BatchRecords = Meter.CreateHistogram<long>("tube.wal.batch.records",
        "{record}", "Records made durable by one group-commit batch.");

    public static readonly Counter<long> LeaderChanges = Meter.CreateCounter<long>("tube.leader.changes", "{change}",
        "Times a replica saw a new leader.");

    /// <summary>The replicas running in this process, whose last published state the gauges report.</summary>
    private static readonly List<ReplicaGauges> Replicas = [];

    private static readonly Lock ReplicasLock = new();

    private static readonly ObservableGauge<long>[] Gauges =
    [
        Meter.CreateObservableGauge("tube.applied.index", () => Observe(static r => r.AppliedIndex), "{entry}",
            "The index of the last log entry applied to the state machines."),
        Meter.CreateObservableGauge("tube.term", () => Observe(static r => r.Term), null, "The replica's Raft term."),
        Meter.CreateObservableGauge("tube.leader", () => Observe(static r => r.IsLeader), null,
            "1 while the replica is the leader, else 0."),
        Meter.CreateObservableGauge("tube.sessions", () => Observe(static r => r.Sessions), "{session}",
            "Client sessions open in the replicated state."),
        Meter.CreateObservableGauge("tube.leases", () => Observe(static r => r.Leases), "{lease}",
            "Keys under a lease in the replicated state."),
    ];

    /// <summary>Whether anyone listens to a gauge (then the host loop publishes its state each round).</summary>
    public static bool GaugesObserved
    {
        get
        {
            foreach (ObservableGauge<long> gauge in Gauges)
            {
                if (gauge.Enabled)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Adds a started replica to the gauges until <see cref="Remove"/>.</summary>
    public static void Add(ReplicaGauges gauges)
    {
        lock (ReplicasLock)
        {
            Replicas.Add(gauges);
        }
    }

    public static void Remove(ReplicaGauges gauges)
    {
        lock (ReplicasLock)
        {
            Replicas.Remove(gauges);
        }
    }

    private static List<Measurement<long>> Observe(Func<ReplicaGauges, long> read)
    {
        lock (ReplicasLock)
        {
            return Replicas.ConvertAll(r => new Measurement<long>(read(r), r.NodeTag));
        }
    }

    /// <summary>A start time for <paramref name="histogram"/>, or 0 when nobody listens to it.</summary>
    public static long Start(Histogram<double> histogram, TimeProvider time) =>
        histogram.Enabled ? time.GetTimestamp() : 0;

    /// <summary>Records the time since <paramref name="started"/> (skipped when it is 0: nobody listened then).</summary>
    public static void RecordSince(Histogram<double> histogram, long started, TimeProvider time,
        KeyValuePair<string, object?>? tag = null)
    {
        if (started == 0 || !histogram.Enabled)
        {
            return;
        }
        double seconds = time.GetElapsedTime(started).TotalSeconds;
        if (tag is { } t)
        {
            histogram.Record(seconds, t);
        }
        else
        {
            histogram.Record(seconds);
        }
    }
}
