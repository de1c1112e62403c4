using System.Buffers;
using System.Buffers.Binary;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>Encodes record payloads (little-endian, fixed-width integers). Static and pure.</summary>
internal static class PayloadWriter
{
    public static readonly byte[] SegmentMagic = "TUBEWAL1"u8.ToArray();

    public static void SegmentHeader(ArrayBufferWriter<byte> output, long sequence, ReadOnlySpan<byte> previousChain)
    {
        output.Write(SegmentMagic);
        Int64(output, sequence);
        output.Write(previousChain);
    }

    public static void Entries(ArrayBufferWriter<byte> output, IReadOnlyList<LogEntry> entries)
    {
        Int32(output, entries.Count);
        foreach (var entry in entries)
        {
            Int64(output, entry.Index);
            Int64(output, entry.Term);
            output.Write([(byte)entry.Kind]);
            Int32(output, entry.Data.Length);
            output.Write(entry.Data.Span);
        }
    }

    public static void State(ArrayBufferWriter<byte> output, HardState hardState, Membership membership)
    {
        Int64(output, hardState.Term);
        UInt64(output, hardState.VotedFor);
        Int64(output, hardState.Commit);
        Int64(output, membership.Term);
        Int64(output, membership.Version);
        Ids(output, membership.Voters);
        Ids(output, membership.Shadows);
    }

    public static void Checkpoint(ArrayBufferWriter<byte> output, LogMirror mirror)
    {
        Int64(output, mirror.SnapshotIndex);
        Int64(output, mirror.SnapshotTerm);
        output.Write(mirror.SnapshotHash);
        State(output, mirror.HardState, mirror.Membership);
        Entries(output, mirror.Entries);
    }

    private static void Ids(ArrayBufferWriter<byte> output, IReadOnlyList<ulong> ids)
    {
        Int32(output, ids.Count);
        foreach (ulong id in ids)
        {
            UInt64(output, id);
        }
    }

    private static void Int32(ArrayBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void Int64(ArrayBufferWriter<byte> output, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    private static void UInt64(ArrayBufferWriter<byte> output, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), value);
        output.Advance(8);
    }
}
