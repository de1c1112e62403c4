using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>Shared helpers for the storage tests: entries with recognisable data, openers, comparisons.</summary>
internal static class StorageKit
{
    public const string DataDirectory = "/sim/node1";

    /// <param name="segmentBytesMax">The segment size limit.</param>
    /// <param name="preallocateBytes">Null: the default reservation; 0 for tests that measure the written bytes
    /// through <see cref="SimDisk.ReadDurable"/> while the log is open (reserved zeros would count).</param>
    public static RaftStorageOptions Options(long segmentBytesMax = 64L << 20, long? preallocateBytes = null)
    {
        var options = new RaftStorageOptions { Directory = DataDirectory, SegmentBytesMax = segmentBytesMax };
        if (preallocateBytes is { } reserve)
        {
            options.PreallocateBytes = reserve;
        }

        return options;
    }

    /// <summary>An entry whose data encodes its index and term, so a wrong entry is caught.</summary>
    public static LogEntry Entry(long index, long term = 1, int dataBytes = 24)
    {
        var data = new byte[dataBytes];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((index * 31) + (term * 7) + i + 1);
        }

        return new LogEntry(term, index, LogEntryKind.Command, data);
    }

    public static LogEntry[] Entries(long first, long last, long term = 1) =>
        [.. Enumerable.Range(0, (int)(last - first + 1)).Select(i => Entry(first + i, term))];

    public static SimRaftStorage Open(SimDisk disk, long segmentBytesMax = 64L << 20, long? preallocateBytes = null) =>
        SimRaftStorage.OpenAsync(disk, Options(segmentBytesMax, preallocateBytes)).GetAwaiter().GetResult();

    public static SimDisk NewDisk(int seed) => new(new Random(seed)) { SyncYields = false };

    /// <summary>Asserts the recovered log holds exactly <paramref name="expected"/> (index, term, data).</summary>
    public static void AssertEntries(IEnumerable<LogEntry> expected, IReadOnlyList<LogEntry> actual)
    {
        var want = expected.ToList();
        Assert.Equal(want.Select(e => (e.Index, e.Term)), actual.Select(e => (e.Index, e.Term)));
        for (int i = 0; i < want.Count; i++)
        {
            Assert.True(want[i].Data.Span.SequenceEqual(actual[i].Data.Span), $"entry {want[i].Index} data differs");
            Assert.Equal(want[i].Kind, actual[i].Kind);
        }
    }

    public static string SegmentPath(long sequence) =>
        Path.Combine(DataDirectory,
            sequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".wal");

    public static List<string> Segments(SimDisk disk) =>
        [.. disk.ListFiles(DataDirectory).Where(n => n.EndsWith(".wal", StringComparison.Ordinal))];
}
