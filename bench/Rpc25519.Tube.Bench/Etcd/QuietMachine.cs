using System.Globalization;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// Waits before each line until the machine is quiet, so that no line pays for what ran before it: a cluster still
/// starting (the .NET members compile for seconds after they answer), or another system's work left over from its
/// line (etcd's backend commits, Tube's snapshots, a garbage collection in this process). Quiet means the processors
/// were busy less than <see cref="BusyLimit"/> of the time in two windows in a row, read from <c>/proc/stat</c>.
/// </summary>
internal static class QuietMachine
{
    private const double BusyLimit = 0.10;
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits for quiet, at most <paramref name="limit"/>; returns how long it waited and whether the machine
    /// was quiet then (false also where <c>/proc/stat</c> does not exist, after no wait).</summary>
    public static async Task<(TimeSpan Waited, bool Quiet)> WaitAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (ReadTimes() is not { } previous)
        {
            return (TimeSpan.Zero, false);
        }

        TimeSpan waited = TimeSpan.Zero;
        int quietWindows = 0;
        while (waited < limit)
        {
            await Task.Delay(Window, cancellationToken);
            waited += Window;
            (long Total, long Idle) now = ReadTimes()!.Value;
            long total = now.Total - previous.Total;
            double busy = total <= 0 ? 0 : 1 - ((double)(now.Idle - previous.Idle) / total);
            previous = now;
            quietWindows = busy < BusyLimit ? quietWindows + 1 : 0;
            if (quietWindows == 2)
            {
                return (waited, true);
            }
        }

        return (waited, false);
    }

    /// <summary>All processors' jiffies since boot, and those spent idle or waiting for I/O.</summary>
    private static (long Total, long Idle)? ReadTimes()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        string[] fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long[] values = [.. fields.Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture))];
        return (values.Sum(), values[3] + values[4]);
    }
}
