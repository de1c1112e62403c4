using System.Buffers.Binary;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;
using static Rpc25519.Tube.Tests.Storage.StorageKit;

namespace Rpc25519.Tube.Tests.Storage;

/// <summary>A storage directory on the real disk for the damage tests: writes a known log through
/// <see cref="FileRaftStorage"/>, names its files, finds record boundaries, and deletes itself.</summary>
internal sealed class RealStorageDirectory : IDisposable
{
    /// <summary>Small segments, so a few hundred entries span several of them.</summary>
    public const long SegmentBytes = 4096;

    public RealStorageDirectory(string tag)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tube-{tag}-" + Guid.NewGuid().ToString("N"));
    }

    public string Path { get; }

    public RaftStorageOptions Options => new() { Directory = Path, SegmentBytesMax = SegmentBytes };

    public string SnapshotPath => System.IO.Path.Combine(Path, "snapshot");

    public Task<FileRaftStorage> OpenAsync() => FileRaftStorage.OpenAsync(Options);

    /// <summary>Appends entries first..last one record (and one flush) each, with the hard state after each.</summary>
    public async Task WriteAsync(long first, long last, long term = 1, int dataBytes = 24)
    {
        await using var storage = await OpenAsync();
        for (long i = first; i <= last; i++)
        {
            storage.Append([Entry(i, term, dataBytes)]);
            storage.SaveState(new HardState(term, 1, i), null);
            await storage.FlushAsync();
        }
    }

    /// <summary>Entries 1..last, then a snapshot at <paramref name="snapshotIndex"/> whose 300 data bytes are all
    /// <paramref name="dataBytes"/>.</summary>
    public async Task WriteWithSnapshotAsync(long last, long snapshotIndex, long term = 1, int dataBytes = 24)
    {
        await WriteAsync(1, last, term, dataBytes);
        await using var storage = await OpenAsync();
        byte[] data = new byte[300];
        Array.Fill(data, (byte)dataBytes);
        await storage.SaveSnapshotAsync(new RaftSnapshot(snapshotIndex, term, data));
    }

    public string Segment(long sequence) => System.IO.Path.Combine(Path,
        sequence.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + ".wal");

    public List<string> Segments() => [.. Directory.GetFiles(Path, "*.wal").Order(StringComparer.Ordinal)];

    /// <summary>The start offsets of a segment's records, read from their length fields, up to the end of the file
    /// or the reserved zeros after the last record (a record's kind is never 0).</summary>
    public static List<int> RecordStarts(byte[] segment)
    {
        var starts = new List<int>();
        for (int offset = 0; offset + 48 <= segment.Length && segment[offset + 4] != 0;
             offset += 48 + (int)BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(offset)))
        {
            starts.Add(offset);
        }

        return starts;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
