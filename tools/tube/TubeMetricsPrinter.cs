using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Rpc25519.Tube.Diagnostics;

namespace Rpc25519.Tools.Tube;

/// <summary>
/// <c>tube -metrics [SECONDS]</c>: listens to the <c>Rpc25519.Tube</c> meter in-process and prints what it saw
/// every interval, one line per instrument and node: gauges as their value, counters as the count in the interval,
/// histograms as count, mean and max in the interval (durations in milliseconds). The same instruments are visible
/// from outside with <c>dotnet-counters monitor --counters Rpc25519.Tube -p PID</c>.
/// </summary>
public sealed class TubeMetricsPrinter : IAsyncDisposable
{
    /// <summary>The interval when <c>-metrics</c> is given without a number.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly MeterListener listener = new();
    private readonly Lock gate = new();

    /// <summary>Per "instrument node" key: what the interval saw. Sorted so the lines keep their order.</summary>
    private readonly SortedDictionary<string, Aggregate> seen = new(StringComparer.Ordinal);

    private readonly TextWriter output;
    private readonly TimeSpan interval;
    private readonly CancellationTokenSource stop = new();
    private readonly Task printing;

    private TubeMetricsPrinter(TextWriter output, TimeSpan interval)
    {
        this.output = output;
        this.interval = interval;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TubeDiagnostics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
        printing = PrintLoopAsync();
    }

    /// <summary>Starts listening and printing to <paramref name="output"/> every <paramref name="interval"/>.</summary>
    public static TubeMetricsPrinter Start(TextWriter output, TimeSpan interval) => new(output, interval);

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string node = "";
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "tube.node")
            {
                node = "node " + tag.Value;
            }
        }
        lock (gate)
        {
            string key = $"{instrument.Name,-24} {node,-26}";
            if (!seen.TryGetValue(key, out Aggregate? aggregate))
            {
                seen[key] = aggregate = new Aggregate(instrument);
            }
            aggregate.Add(value);
        }
    }

    private async Task PrintLoopAsync()
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await output.WriteAsync(Report());
                await output.FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the replica.
        }
    }

    /// <summary>The lines for the interval that just ended; counters and histograms start again from zero.</summary>
    public string Report()
    {
        listener.RecordObservableInstruments();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"tube metrics, last {interval.TotalSeconds:0.###} s ({DateTimeOffset.UtcNow:HH:mm:ss} UTC):\n");
        lock (gate)
        {
            foreach ((string key, Aggregate aggregate) in seen)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {key} {aggregate.Describe()}\n");
                aggregate.Reset();
            }
        }
        return text.ToString();
    }

    /// <summary>Stops printing and listening.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await printing;
        listener.Dispose();
        stop.Dispose();
    }

    /// <summary>What one instrument (for one node) reported in the current interval.</summary>
    private sealed class Aggregate(Instrument instrument)
    {
        private long count;
        private double sum;
        private double max;
        private double last;

        public void Add(double value)
        {
            count++;
            sum += value;
            max = count == 1 ? value : Math.Max(max, value);
            last = value;
        }

        public void Reset()
        {
            if (instrument is not ObservableInstrument<long>)
            {
                (count, sum, max) = (0, 0, 0);
            }
        }

        public string Describe()
        {
            if (instrument is ObservableInstrument<long>)
            {
                return last.ToString("0", CultureInfo.InvariantCulture);
            }
            if (instrument is Counter<long>)
            {
                return $"{sum.ToString("0", CultureInfo.InvariantCulture)} {instrument.Unit?.Trim('{', '}')}";
            }
            bool seconds = instrument.Unit == "s";
            double scale = seconds ? 1000 : 1;
            string unit = seconds ? " ms" : "";
            return count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture,
                $"{count} × mean {sum / count * scale:0.###}{unit}, max {max * scale:0.###}{unit}");
        }
    }
}
