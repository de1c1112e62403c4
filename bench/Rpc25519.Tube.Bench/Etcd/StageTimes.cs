using System.Diagnostics.Metrics;
using System.Globalization;
using Rpc25519.Tube.Diagnostics;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// Listens to a replica's duration histograms (<c>tube.commit.duration</c>: proposal to apply on the leader;
/// <c>tube.wal.fsync.duration</c>: the fsync closing a group-commit batch) and reports their p50 and p99 in µs since
/// the previous report: where a write's time goes, next to the client's own latency. Also the bytes the replica
/// allocated and its garbage collections since the previous report.
/// </summary>
internal sealed class StageTimes : IDisposable
{
    private const int MaxSamples = 200_000;
    private readonly MeterListener listener = new();
    private readonly Lock gate = new();
    private readonly Dictionary<string, List<double>> samples = [];

    public StageTimes()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TubeDiagnostics.MeterName && instrument is Histogram<double>)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            lock (gate)
            {
                if (!samples.TryGetValue(instrument.Name, out var list))
                {
                    samples[instrument.Name] = list = [];
                }

                if (list.Count < MaxSamples)
                {
                    list.Add(value);
                }
            }
        });
        listener.Start();
    }

    /// <summary>"name n=COUNT p50=US p99=US" per histogram, then forgets the samples.</summary>
    public string Report()
    {
        lock (gate)
        {
            var parts = new List<string>();
            foreach (var (name, list) in samples.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                double[] sorted = [.. list.Order()];
                if (sorted.Length == 0)
                {
                    continue;
                }

                double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * 1e6;
                parts.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name} n={sorted.Length} p50={P(0.5):0}µs p99={P(0.99):0}µs"));
                list.Clear();
            }

            parts.Add(MemorySinceLastReport());
            return string.Join("; ", parts);
        }
    }

    private long allocatedAtReport;
    private readonly int[] collectionsAtReport = new int[3];

    /// <summary>Bytes this process allocated and its collections per generation since the previous report.</summary>
    private string MemorySinceLastReport()
    {
        long allocated = GC.GetTotalAllocatedBytes();
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        string text = string.Create(CultureInfo.InvariantCulture,
            $"allocated {(allocated - allocatedAtReport) / 1e6:0.0} MB, collections gen0 " +
            $"{collections[0] - collectionsAtReport[0]} gen1 {collections[1] - collectionsAtReport[1]} gen2 " +
            $"{collections[2] - collectionsAtReport[2]}");
        allocatedAtReport = allocated;
        collections.CopyTo(collectionsAtReport, 0);
        return text;
    }

    public void Dispose() => listener.Dispose();
}
