using System.Buffers.Binary;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>Receives each verified record of a segment, with its file offset.</summary>
internal delegate void RecordVisitor(RecordKind kind, ReadOnlySpan<byte> payload, long offset);

/// <summary>
/// Verifies one segment record by record: header CRC (before the length is used), record CRC, then the chain
/// hash against the previous record's. The first record must be the segment header naming this segment's
/// sequence number and continuing the previous segment's chain. A failure in the last segment that a torn write
/// explains (the record runs past the end of the file, or the file ends in zero-filled 512-byte blocks starting
/// inside the record) ends the scan as a torn tail; only zeros after the last record are the reserved tail of a
/// preallocated segment; any other failure throws
/// <see cref="StorageCorruptedException"/> with the file and offset. Static and pure.
/// </summary>
internal static class SegmentScanner
{
    private const int BlockBytes = 512;

    /// <param name="bytes">The whole segment file.</param>
    /// <param name="path">The file, for error messages.</param>
    /// <param name="sequence">The sequence number from the file name.</param>
    /// <param name="previousChain">The last chain hash of the previous segment, or null if this is the first
    /// segment kept (its header then seeds the chain).</param>
    /// <param name="isLast">Whether a torn tail is possible here.</param>
    /// <param name="recordBytesMax">Larger lengths are corruption.</param>
    /// <param name="visitor">Called for every verified record after the header.</param>
    public static SegmentScanResult Scan(byte[] bytes, string path, long sequence, byte[]? previousChain,
        bool isLast, long recordBytesMax, RecordVisitor visitor)
    {
        byte[] chain = previousChain ?? new byte[WalRecord.ChainBytes];
        Span<byte> computed = stackalloc byte[WalRecord.ChainBytes];
        long offset = 0;
        while (offset < bytes.Length)
        {
            var rest = bytes.AsSpan((int)offset);
            string? problem = Check(rest, recordBytesMax, out int recordBytes);
            if (problem is not null)
            {
                if (isLast && offset > 0 && !rest.ContainsAnyExcept((byte)0))
                {
                    return new SegmentScanResult(offset, TornTail: false, chain, ZeroTail: true);
                }

                if (isLast && IsTorn(rest, recordBytes, offset))
                {
                    return new SegmentScanResult(offset, TornTail: true, chain);
                }

                throw new StorageCorruptedException(path, offset, problem);
            }

            var record = rest.Slice(0, recordBytes);
            var kind = (RecordKind)record[4];
            var payload = record.Slice(WalRecord.HeaderBytes);
            if (offset == 0)
            {
                chain = CheckHeader(payload, kind, path, sequence, previousChain);
            }

            WalRecord.ComputeChain(chain, record.Slice(0, WalRecord.HeaderCrcOffset), payload, computed);
            if (!computed.SequenceEqual(record.Slice(WalRecord.ChainOffset, WalRecord.ChainBytes)))
            {
                throw new StorageCorruptedException(path, offset, "the record's chain hash does not follow the " +
                    "previous record (a segment was spliced in from another log, reordered, or rewritten)");
            }

            chain = computed.ToArray();
            if (offset > 0)
            {
                Visit(visitor, kind, payload, path, offset);
            }

            offset += recordBytes;
        }

        if (offset == 0)
        {
            // A process stopped between creating a segment and writing its header: an empty last segment is a
            // torn write like any other; anywhere else it is lost data.
            return isLast
                ? new SegmentScanResult(0, TornTail: true, chain)
                : throw new StorageCorruptedException(path, 0, "the segment is empty but is not the last one");
        }

        return new SegmentScanResult(offset, TornTail: false, chain);
    }

    /// <summary>True if the segment's header and its first record verify and that record is a checkpoint. Only
    /// checksums are checked here; the full scan checks the chain. Reads only those two records.</summary>
    /// <param name="read">Reads (offset, count) bytes of the segment, fewer at its end.</param>
    /// <param name="recordBytesMax">Larger lengths fail.</param>
    public static bool StartsWithCheckpoint(Func<long, int, byte[]> read, long recordBytesMax)
    {
        var header = ReadRecord(read, 0, recordBytesMax);
        if (header is null || (RecordKind)header[4] != RecordKind.SegmentHeader)
        {
            return false;
        }

        var first = ReadRecord(read, header.Length, recordBytesMax);
        return first is not null && (RecordKind)first[4] == RecordKind.Checkpoint;
    }

    /// <summary>Reads the record at <paramref name="offset"/> if its checksums verify, else null.</summary>
    private static byte[]? ReadRecord(Func<long, int, byte[]> read, long offset, long recordBytesMax)
    {
        var header = read(offset, WalRecord.HeaderBytes);
        if (header.Length < WalRecord.HeaderBytes || !WalRecord.HeaderVerifies(header))
        {
            return null;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > recordBytesMax)
        {
            return null;
        }

        var record = read(offset, WalRecord.HeaderBytes + (int)length);
        return Check(record, recordBytesMax, out _) is null ? record : null;
    }

    /// <summary>Returns why the record at the start of <paramref name="rest"/> fails, or null if its checksums
    /// verify. <paramref name="recordBytes"/> is the record's length once the header verified, else -1.</summary>
    private static string? Check(ReadOnlySpan<byte> rest, long recordBytesMax, out int recordBytes)
    {
        recordBytes = -1;
        if (rest.Length < WalRecord.RecordCrcOffset)
        {
            return "the record header is cut short";
        }

        if (!WalRecord.HeaderVerifies(rest))
        {
            return "the record header fails its CRC32C";
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (length > recordBytesMax || rest[5] != 0 || rest[6] != 0 || rest[7] != 0 ||
            !Enum.IsDefined((RecordKind)rest[4]))
        {
            return $"the record header is malformed (length {length}, kind {rest[4]})";
        }

        recordBytes = WalRecord.HeaderBytes + (int)length;
        if (rest.Length < recordBytes)
        {
            return "the record is cut short";
        }

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(rest.Slice(WalRecord.RecordCrcOffset));
        return stored == WalRecord.RecordCrc(rest.Slice(0, recordBytes)) ? null : "the record fails its CRC32C";
    }

    /// <summary>A torn write leaves a short file or zero-filled blocks at its end; a flipped byte leaves
    /// neither.</summary>
    private static bool IsTorn(ReadOnlySpan<byte> rest, int recordBytes, long fileOffset)
    {
        if (rest.Length < WalRecord.RecordCrcOffset || (recordBytes > 0 && rest.Length < recordBytes))
        {
            return true;
        }

        int lastNonZero = rest.LastIndexOfAnyExcept((byte)0);
        int zerosFrom = lastNonZero + 1;
        if (zerosFrom == rest.Length)
        {
            return false;
        }

        long blockStart = ((fileOffset + zerosFrom + BlockBytes - 1) / BlockBytes * BlockBytes) - fileOffset;
        int recordEnd = recordBytes > 0 ? recordBytes : WalRecord.HeaderBytes;
        return lastNonZero < 0 || blockStart < Math.Min(recordEnd, rest.Length);
    }

    private static byte[] CheckHeader(ReadOnlySpan<byte> payload, RecordKind kind, string path, long sequence,
        byte[]? previousChain)
    {
        if (kind != RecordKind.SegmentHeader)
        {
            throw new StorageCorruptedException(path, 0, $"the segment starts with a {kind} record, not a header");
        }

        (long Sequence, byte[] PreviousChain) header;
        try
        {
            header = new PayloadReader(payload).SegmentHeader();
        }
        catch (FormatException e)
        {
            throw new StorageCorruptedException(path, 0, e.Message);
        }

        if (header.Sequence != sequence)
        {
            throw new StorageCorruptedException(path, 0, $"the segment header says sequence {header.Sequence} " +
                $"but the file name says {sequence} (segments renamed or reordered)");
        }

        if (previousChain is not null && !header.PreviousChain.AsSpan().SequenceEqual(previousChain))
        {
            throw new StorageCorruptedException(path, 0, "the segment does not continue the previous segment's " +
                "hash chain (spliced in from another log, or a segment is missing)");
        }

        return header.PreviousChain;
    }

    private static void Visit(RecordVisitor visitor, RecordKind kind, ReadOnlySpan<byte> payload, string path,
        long offset)
    {
        try
        {
            visitor(kind, payload, offset);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new StorageCorruptedException(path, offset, $"a verified {kind} record does not decode or does " +
                $"not fit the log ({e.Message})");
        }
    }
}
