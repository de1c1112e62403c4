using System.Diagnostics;
using System.Diagnostics.Metrics;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Diagnostics;

/// <summary>jsync's instruments (see <see cref="JSyncDiagnostics"/>), recorded once per sync from its
/// <see cref="SyncResult"/>.</summary>
internal static class JSyncMetrics
{
    private static readonly Meter Meter = new(JSyncDiagnostics.MeterName,
        typeof(JSyncMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>The clock of the duration histogram. jsync takes no clock of its own (it runs on real files, outside
    /// the simulator), and this one is read only while the histogram has a listener.</summary>
    private static readonly TimeProvider Time = TimeProvider.System;

    private static readonly Counter<long> Syncs = Meter.CreateCounter<long>("jsync.syncs", "{sync}",
        "Syncs this side ran, by role and outcome.");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("jsync.sync.duration", "s",
        "How long a sync took on this side, by role and outcome.");

    private static readonly Counter<long> FilesTransferred = Meter.CreateCounter<long>("jsync.files.transferred",
        "{file}", "Files whose contents were rebuilt.");

    private static readonly Counter<long> LiteralBytes = Meter.CreateCounter<long>("jsync.bytes.literal", "By",
        "Chunk data that travelled (sent by a giver, received by a taker).");

    private static readonly Counter<long> ReusedBytes = Meter.CreateCounter<long>("jsync.bytes.reused", "By",
        "Bytes copied from chunks the taker already had.");

    private static readonly Counter<long> ZeroBytes = Meter.CreateCounter<long>("jsync.bytes.zero", "By",
        "Zero runs written as holes.");

    private static readonly Counter<long> SummaryChunks = Meter.CreateCounter<long>("jsync.chunks.summarized",
        "{chunk}", "Chunk records the taker sent to describe what it has.");

    private static readonly Counter<long> EntriesScanned = Meter.CreateCounter<long>("jsync.entries.scanned",
        "{entry}", "Entries in the giver's tree.");

    /// <summary>A start time for the duration, or 0 when nobody listens to it.</summary>
    public static long Start() => Duration.Enabled ? Time.GetTimestamp() : 0;

    /// <summary>Records a sync that ended with <paramref name="result"/>, or with <paramref name="failure"/>.</summary>
    public static void Ended(SyncRole role, long started, SyncResult? result, Exception? failure)
    {
        string outcome = failure switch
        {
            null => "ok",
            OperationCanceledException => "cancelled",
            _ => "failed",
        };
        var roleTag = new KeyValuePair<string, object?>("jsync.role", role == SyncRole.Giver ? "giver" : "taker");
        if (Syncs.Enabled || (started != 0 && Duration.Enabled))
        {
            var tags = new TagList { roleTag, { "jsync.outcome", outcome } };
            Syncs.Add(1, tags);
            if (started != 0)
            {
                Duration.Record(Time.GetElapsedTime(started).TotalSeconds, tags);
            }
        }
        if (result is null)
        {
            return;
        }
        Add(FilesTransferred, result.FilesTransferred, roleTag);
        Add(LiteralBytes, result.LiteralBytes, roleTag);
        Add(ReusedBytes, result.CopiedBytes, roleTag);
        Add(ZeroBytes, result.ZeroBytes, roleTag);
        Add(SummaryChunks, result.SummaryChunks, roleTag);
        Add(EntriesScanned, result.EntriesScanned, roleTag);
    }

    private static void Add(Counter<long> counter, long value, KeyValuePair<string, object?> tag)
    {
        if (counter.Enabled && value > 0)
        {
            counter.Add(value, tag);
        }
    }
}
