using System.Buffers;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>Encoded records waiting to be written to one segment.</summary>
internal sealed class PendingChunk(long sequence)
{
    public long Sequence { get; } = sequence;

    public ArrayBufferWriter<byte> Bytes { get; } = new();
}
