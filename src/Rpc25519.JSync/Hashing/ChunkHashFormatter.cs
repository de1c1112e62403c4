using System.Buffers;
using MessagePack;
using MessagePack.Formatters;

namespace Rpc25519.JSync.Hashing;

/// <summary>Writes a <see cref="ChunkHash"/> as a 32-byte MessagePack binary and reads it back.</summary>
public sealed class ChunkHashFormatter : IMessagePackFormatter<ChunkHash>
{
    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, ChunkHash value, MessagePackSerializerOptions options)
    {
        writer.WriteBinHeader(ChunkHash.Size);
        Span<byte> span = writer.GetSpan(ChunkHash.Size);
        value.CopyTo(span);
        writer.Advance(ChunkHash.Size);
    }

    /// <inheritdoc/>
    public ChunkHash Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        ReadOnlySequence<byte>? seq = reader.ReadBytes();
        if (seq is not { Length: ChunkHash.Size } bytes)
        {
            throw new MessagePackSerializationException($"A chunk hash must be a {ChunkHash.Size}-byte binary.");
        }
        Span<byte> buffer = stackalloc byte[ChunkHash.Size];
        bytes.CopyTo(buffer);
        return new ChunkHash(buffer);
    }
}
