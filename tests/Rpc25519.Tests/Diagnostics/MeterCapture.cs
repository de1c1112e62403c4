using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Rpc25519.Tests.Diagnostics;

/// <summary>One measurement a <see cref="MeterListener"/> saw, with its tags.</summary>
public sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags)
{
    /// <summary>The tag's value as text, or null when the measurement does not carry it.</summary>
    public string? Tag(string key) => Tags.TryGetValue(key, out object? value) ? value?.ToString() : null;
}

/// <summary>Collects every measurement of one meter's instruments (any numeric type) into a queue.</summary>
public static class MeterCapture
{
    public static MeterListener Listen(ConcurrentQueue<Measurement> into, string meterName)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
            where T : struct =>
            into.Enqueue(new Measurement(instrument.Name, Convert.ToDouble(value),
                tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<int>(Record);
        listener.Start();
        return listener;
    }
}
