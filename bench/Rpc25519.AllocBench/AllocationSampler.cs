using System.Diagnostics.Tracing;

namespace Rpc25519.AllocBench;

/// <summary>Counts the runtime's allocation-tick events (one per ~100 KB allocated, naming the type allocated at that
/// moment) by type: a sampled picture of what the allocated bytes are made of.</summary>
internal sealed class AllocationSampler : EventListener
{
    /// <summary>The runtime's GC keyword: allocation ticks come with it at the verbose level.</summary>
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly Dictionary<string, long> _samples = [];

    /// <summary>The types sampled, largest share first, with their share of <paramref name="bytesPerCall"/>.</summary>
    public IEnumerable<(string Type, double BytesPerCall)> BytesPerCallByType(double bytesPerCall)
    {
        lock (_samples)
        {
            long total = Math.Max(1, _samples.Values.Sum());
            return [.. _samples.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => (pair.Key, bytesPerCall * pair.Value / total))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true
            || eventData.PayloadNames is null || eventData.Payload is null)
        {
            return;
        }
        int index = eventData.PayloadNames.IndexOf("TypeName");
        string type = index >= 0 ? eventData.Payload[index]?.ToString() ?? "?" : "?";
        lock (_samples)
        {
            _samples[type] = _samples.GetValueOrDefault(type) + 1;
        }
    }
}
