using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Writes a <see cref="FileSummary"/> compactly: each chunk as the gap since the previous chunk's end (zero except
/// after a left-out zero run), its length, and the first <see cref="HashBytes"/> bytes of its BLAKE3 — about 10 bytes
/// a chunk instead of about 45. Eight bytes make an accidental false match vanishingly rare (about one in 10^9 for a
/// sync that compares 10^5 chunks against 10^5), and a false match cannot corrupt anything: the rebuilt file's
/// whole-file BLAKE3 would differ, and the taker then fetches that file again without reusing any chunk.
/// </summary>
internal sealed class FileSummaryFormatter : PackedFormatter<FileSummary>
{
    /// <summary>How many bytes of each chunk hash a summary carries.</summary>
    public const int HashBytes = 8;

    /// <inheritdoc/>
    protected override void Write(ref MessagePackWriter writer, FileSummary value, MessagePackSerializerOptions options)
    {
        var packed = new PackedWriter(value.Chunks.Length * 12 + 8);
        packed.Varint((ulong)value.Chunks.Length);
        long end = 0;
        Span<byte> prefix = stackalloc byte[HashBytes];
        foreach (ChunkRecord c in value.Chunks)
        {
            packed.Varint(c.Offset - end);
            packed.Varint((ulong)c.Length);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(prefix, c.Hash.Prefix);
            packed.Bytes(prefix);
            end = c.Offset + c.Length;
        }
        writer.WriteArrayHeader(5);
        writer.Write(value.Path);
        writer.Write(value.Size);
        packed.WriteTo(ref writer);
        writer.Write(value.IsLast);
        if (value.FileHash == default)
        {
            writer.WriteNil();
        }
        else
        {
            options.Resolver.GetFormatterWithVerify<ChunkHash>().Serialize(ref writer, value.FileHash, options);
        }
    }

    /// <inheritdoc/>
    protected override FileSummary Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        PackedReader.ExpectArray(ref reader, 5, nameof(FileSummary));
        string path = reader.ReadString() ?? throw new MessagePackSerializationException("A summary has no path.");
        long size = reader.ReadInt64();
        ReadOnlyMemory<byte> body = PackedReader.ReadBody(ref reader);
        bool isLast = reader.ReadBoolean();
        ChunkHash fileHash = reader.TryReadNil() ? default : options.Resolver.GetFormatterWithVerify<ChunkHash>().Deserialize(ref reader, options);
        var packed = new PackedReader(body.Span);
        var chunks = new ChunkRecord[packed.Count(minBytesEach: 2 + HashBytes)];
        long end = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            long offset = checked(end + packed.Long());
            int length = packed.Int();
            ulong prefix = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(packed.Bytes(HashBytes));
            chunks[i] = new ChunkRecord(offset, length, ChunkHash.FromPrefix(prefix));
            end = checked(offset + length);
        }
        packed.ExpectEnd();
        return new FileSummary { Path = path, Size = size, Chunks = chunks, IsLast = isLast, FileHash = fileHash };
    }
}
