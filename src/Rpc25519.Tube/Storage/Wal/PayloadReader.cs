using System.Buffers.Binary;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Decodes a record payload written by <see cref="PayloadWriter"/>. A payload that verified its checksums but does
/// not decode throws <see cref="FormatException"/>, which the caller reports as corruption with the record's
/// offset. Copies entry data out of the buffer, so the buffer may be reused afterwards. Not thread-safe.
/// </summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> payload = payload;
    private int position;

    public readonly bool AtEnd => position == payload.Length;

    public (long Sequence, byte[] PreviousChain) SegmentHeader()
    {
        if (!Take(PayloadWriter.SegmentMagic.Length).SequenceEqual(PayloadWriter.SegmentMagic))
        {
            throw new FormatException("the segment header has the wrong magic");
        }

        long sequence = Int64();
        return (sequence, Take(WalRecord.ChainBytes).ToArray());
    }

    public List<LogEntry> Entries()
    {
        int count = Count(17);
        var entries = new List<LogEntry>(count);
        for (int i = 0; i < count; i++)
        {
            long index = Int64();
            long term = Int64();
            var kind = (LogEntryKind)Take(1)[0];
            if (kind is not LogEntryKind.Command and not LogEntryKind.NoOp || index < 1 || term < 1)
            {
                throw new FormatException($"entry {i} has kind {kind}, index {index}, term {term}");
            }

            var data = Take(Count(1)).ToArray();
            entries.Add(new LogEntry(term, index, kind, data));
            if (i > 0 && index != entries[i - 1].Index + 1)
            {
                throw new FormatException($"entry {i} has index {index} after {entries[i - 1].Index}");
            }
        }

        return entries;
    }

    public (HardState HardState, Membership Membership) State()
    {
        var hard = new HardState(Int64(), UInt64(), Int64());
        long term = Int64();
        long version = Int64();
        var voters = Ids();
        var shadows = Ids();
        try
        {
            return (hard, new Membership(voters, shadows, term, version));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"the stored configuration is invalid: {e.Message}", e);
        }
    }

    public (long SnapshotIndex, long SnapshotTerm, byte[] SnapshotHash) SnapshotPoint() =>
        (Int64(), Int64(), Take(WalRecord.ChainBytes).ToArray());

    private ulong[] Ids()
    {
        var ids = new ulong[Count(8)];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = UInt64();
        }

        return ids;
    }

    /// <summary>Reads a count and checks that at least count × <paramref name="bytesEach"/> bytes remain.</summary>
    private int Count(int bytesEach)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        if (count < 0 || (long)count * bytesEach > payload.Length - position)
        {
            throw new FormatException($"a count of {count} does not fit the payload");
        }

        return count;
    }

    private long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    private ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > payload.Length - position)
        {
            throw new FormatException($"the payload ends at {payload.Length} bytes, {count} more were expected");
        }

        var span = payload.Slice(position, count);
        position += count;
        return span;
    }
}
