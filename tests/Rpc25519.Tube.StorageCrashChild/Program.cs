using System.Globalization;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.StorageCrashChild;

/// <summary>
/// Writes through <see cref="FileRaftStorage"/> until it is killed. Usage: <c>DIRECTORY SEED</c>. Prints
/// <c>ready LAST;</c> after recovery, then <c>durable INDEX;</c> for every index once the flush covering it has
/// completed (so it is fsynced), and compacts into a snapshot now and then. Keeps up to 8 flushes in flight, so
/// the group commit has something to batch. Entry data is a function of the index (see <see cref="EntryData"/>), so
/// the parent can check contents. The trailing ';' lets the parent ignore a line cut short by the kill.
/// </summary>
internal static class Program
{
    private const int FlushesInFlightMax = 8;

    private static async Task<int> Main(string[] args)
    {
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        var random = new Random(int.Parse(args[1], CultureInfo.InvariantCulture));
        await using var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions
        {
            Directory = args[0], SegmentBytesMax = 16 * 1024,
        });
        long last = storage.LastIndex;
        long snapshotIndex = storage.Recovered.Snapshot?.Index ?? 0;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"ready {last};\n"));
        output.Flush();
        var inFlight = new Queue<(Task Flush, long First, long Last)>();
        while (true)
        {
            long first = last + 1;
            int count = random.Next(1, 8);
            storage.Append([.. Enumerable.Range(0, count).Select(i => new LogEntry(1, first + i, LogEntryKind.Command,
                EntryData.For(first + i)))]);
            last += count;
            if (random.Next(4) == 0)
            {
                storage.SaveState(new HardState(1, 1, last), null);
            }

            inFlight.Enqueue((storage.FlushAsync(), first, last));
            if (inFlight.Count >= FlushesInFlightMax || random.Next(3) == 0)
            {
                await Report(inFlight, output, drain: false);
            }

            if (last - snapshotIndex > 400)
            {
                await Report(inFlight, output, drain: true);
                snapshotIndex = last - random.Next(0, 50);
                await storage.SaveSnapshotAsync(new RaftSnapshot(snapshotIndex, 1, EntryData.For(snapshotIndex)));
            }
        }
    }

    private static async Task Report(Queue<(Task Flush, long First, long Last)> inFlight, StreamWriter output,
        bool drain)
    {
        while (inFlight.Count > 0)
        {
            var (flush, first, last) = inFlight.Dequeue();
            await flush;
            for (long index = first; index <= last; index++)
            {
                output.Write(string.Create(CultureInfo.InvariantCulture, $"durable {index};\n"));
            }

            output.Flush();
            if (!drain)
            {
                return;
            }
        }
    }
}
