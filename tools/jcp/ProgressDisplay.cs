using System.Diagnostics;
using Rpc25519.JSync.Sync;
using Spectre.Console;

namespace Rpc25519.Tools.Jcp;

/// <summary>
/// jcp's --progress: keeps the engine's latest <see cref="SyncProgress"/> and shows it — on a terminal as a
/// Spectre.Console progress bar (files, bytes, rate, time left), otherwise as one plain line a second, so a log or a
/// pipe gets readable text instead of cursor movements.
/// </summary>
internal sealed class ProgressDisplay : IProgress<SyncProgress>
{
    private readonly object _gate = new();
    private SyncProgress _latest;

    /// <summary>Stores the latest value (called on the sync's thread; does nothing else).</summary>
    public void Report(SyncProgress value)
    {
        lock (_gate)
        {
            _latest = value;
        }
    }

    private SyncProgress Latest
    {
        get
        {
            lock (_gate)
            {
                return _latest;
            }
        }
    }

    /// <summary>Shows progress until <paramref name="stop"/> fires, then a last update.</summary>
    public Task RunAsync(TextWriter stdout, bool terminal, Stopwatch started, CancellationToken stop) =>
        terminal ? RunBarAsync(stop) : RunLinesAsync(stdout, started, stop);

    private async Task RunBarAsync(CancellationToken stop)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask("files 0/0", maxValue: 1);
                while (true)
                {
                    SyncProgress p = Latest;
                    task.MaxValue = Math.Max(1, p.BytesTotal);
                    task.Value = p.BytesDone;
                    task.Description = $"files {p.FilesDone}/{p.FilesTotal}";
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    try
                    {
                        await Task.Delay(200, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        // one last update above, then stop
                    }
                }
                task.StopTask();
            });
    }

    private async Task RunLinesAsync(TextWriter stdout, Stopwatch started, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await stdout.WriteLineAsync(Line(Latest, started.Elapsed.TotalSeconds));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await stdout.WriteLineAsync(Line(Latest, started.Elapsed.TotalSeconds)); // the final state, even for a short sync
    }

    /// <summary>One plain progress line: files, bytes, rate and the time left at that rate.</summary>
    internal static string Line(SyncProgress p, double seconds)
    {
        double rate = p.BytesDone / Math.Max(seconds, 1e-3);
        string eta = p.BytesDone >= p.BytesTotal ? "done"
            : rate <= 0 ? "ETA unknown"
            : $"ETA {TimeSpan.FromSeconds(Math.Ceiling((p.BytesTotal - p.BytesDone) / rate)):c}";
        return $"jcp: files {p.FilesDone}/{p.FilesTotal}, {p.BytesDone / 1e6:F1}/{p.BytesTotal / 1e6:F1} MB, " +
            $"{rate / 1e6:F1} MB/s, {eta}";
    }
}
