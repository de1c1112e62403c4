using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// The byte layout of one write-ahead-log record (little-endian), and its encoder:
/// <code>
///  0  u32  payload length
///  4  u8   kind, then 3 zero bytes
///  8  u32  header CRC32C over bytes 0..8      (so a length is checked before it is used)
/// 12  u32  record CRC32C over bytes 0..12, 16..48 and the payload
/// 16  32B  chain = BLAKE3(previous record's chain ‖ bytes 0..8 ‖ payload)
/// 48  payload
/// </code>
/// Thread-safety: static and pure.
/// </summary>
internal static class WalRecord
{
    public const int HeaderBytes = 48;
    public const int ChainBytes = 32;
    public const int HeaderCrcOffset = 8;
    public const int RecordCrcOffset = 12;
    public const int ChainOffset = 16;

    /// <summary>Encodes a record after <paramref name="previousChain"/> into <paramref name="output"/>, and
    /// writes the record's own chain hash into <paramref name="chain"/>. The two may be the same buffer: the
    /// previous hash is read in full before the new one is written.</summary>
    public static void Encode(IBufferWriter<byte> output, RecordKind kind, ReadOnlySpan<byte> payload,
        ReadOnlySpan<byte> previousChain, Span<byte> chain)
    {
        var record = output.GetSpan(HeaderBytes + payload.Length).Slice(0, HeaderBytes + payload.Length);
        record.Slice(0, HeaderBytes).Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        record[4] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(HeaderCrcOffset),
            Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, record.Slice(0, HeaderCrcOffset)));
        ComputeChain(previousChain, record.Slice(0, HeaderCrcOffset), payload, chain);
        chain.CopyTo(record.Slice(ChainOffset));
        payload.CopyTo(record.Slice(HeaderBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(RecordCrcOffset), RecordCrc(record));
        output.Advance(record.Length);
    }

    /// <summary>The CRC32C a whole record (header and payload) must carry at offset 12.</summary>
    public static uint RecordCrc(ReadOnlySpan<byte> record)
    {
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        crc.Append(record.Slice(0, RecordCrcOffset));
        crc.Append(record.Slice(ChainOffset));
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>True if bytes 8..12 are the CRC32C of bytes 0..8.</summary>
    public static bool HeaderVerifies(ReadOnlySpan<byte> header) =>
        BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(HeaderCrcOffset)) ==
        Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, header.Slice(0, HeaderCrcOffset));

    /// <summary>BLAKE3(previous chain ‖ header bytes 0..8 ‖ payload).</summary>
    public static void ComputeChain(ReadOnlySpan<byte> previousChain, ReadOnlySpan<byte> lengthAndKind,
        ReadOnlySpan<byte> payload, Span<byte> chain)
    {
        using var hasher = Blake3.Hasher.New();
        hasher.Update(previousChain);
        hasher.Update(lengthAndKind);
        hasher.Update(payload);
        hasher.Finalize(chain);
    }
}
