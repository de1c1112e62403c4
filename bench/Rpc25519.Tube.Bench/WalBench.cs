using System.Globalization;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Bench;

/// <summary>
/// The write-ahead log on the real disk: appends per second and appends per fsync with 1 and 64 concurrent
/// appenders, each appending one 128-byte entry and waiting until it is durable, in a fresh temp directory.
/// Usage: <c>wal [COUNT]</c> (appends per run, default 20,000).
/// </summary>
internal static class WalBench
{
    private const int EntryBytes = 128;

    public static void Run(string[] args)
    {
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        Console.WriteLine($"wal: {count} appends of {EntryBytes} bytes, each awaited until fsynced, temp dir on " +
            $"{Path.GetTempPath()}");
        foreach (int appenders in new[] { 1, 64 })
        {
            RunOnce(appenders, count).GetAwaiter().GetResult();
        }
    }

    private static async Task RunOnce(int appenders, int count)
    {
        string directory = Path.Combine(Path.GetTempPath(), "tube-walbench-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions { Directory = directory });
            var gate = new object();
            long next = 0;
            var data = new byte[EntryBytes];
            var clock = TimeProvider.System;
            long started = clock.GetTimestamp();

            async Task Appender()
            {
                while (true)
                {
                    lock (gate)
                    {
                        if (next >= count)
                        {
                            return;
                        }

                        next++;
                        storage.Append([new LogEntry(1, next, LogEntryKind.Command, data)]);
                    }

                    await storage.FlushAsync();
                }
            }

            await Task.WhenAll(Enumerable.Range(0, appenders).Select(_ => Appender()));
            double seconds = clock.GetElapsedTime(started).TotalSeconds;
            long syncs = storage.SyncCount;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {appenders,2} appenders: {count / seconds,10:N0} appends/s  {syncs,7} fsyncs  " +
                $"{(double)count / Math.Max(1, syncs),6:N1} appends per fsync  {storage.BatchCount,7} batches  " +
                $"{(double)syncs / Math.Max(1, storage.BatchCount),4:N2} fsyncs per batch"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
