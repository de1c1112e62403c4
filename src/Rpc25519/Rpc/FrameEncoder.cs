using System.Buffers;
using System.IO.Pipelines;
using Rpc25519.Compression;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// Turns one message into one frame on a connection's output: header, encoded body, payload, compressed when the
/// connection's <see cref="CompressionChoice"/> asks for it and it helps. Reuses its buffers from frame to frame.
/// </summary>
/// <remarks>Not thread-safe: used by the one running drain of a connection.</remarks>
internal sealed class FrameEncoder : IDisposable
{
    private readonly CompressionChoice _compression;
    private readonly int _maxFrameBytes;

    /// <summary>The encoded body of the frame being written (the payload too, when it is compressed).</summary>
    private readonly PooledBufferWriter _body = new();

    /// <summary>The compressed body of the frame being written.</summary>
    private readonly PooledBufferWriter _compressed = new();

    /// <summary>The compressed body of a large zstd frame, compressed in pieces (see <see cref="InPiecesFromBytes"/>).
    /// </summary>
    private readonly ChunkWriter _chunks = new();

    /// <summary>Zstd bodies from this size on are compressed from the encoded fields and the payload where they lie,
    /// into pooled chunks, instead of being joined into one buffer and compressed into another: above this size those
    /// buffers would not come from the pool, and a server answering large compressed requests would leave two of them
    /// per reply to the GC.</summary>
    private const int InPiecesFromBytes = 1024 * 1024;

    /// <summary>The message whose body <see cref="PrepareAsync"/> compressed into <see cref="_chunks"/> (and encoded
    /// into <see cref="_body"/>), and what it found: the compression used, or <see cref="CompressionAlgo.None"/> for
    /// "send as is"; null when nothing is prepared.</summary>
    private Message? _prepared;

    private CompressionAlgo _preparedAlgo;

    public FrameEncoder(CompressionChoice compression, int maxFrameBytes)
    {
        _compression = compression;
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>Writes <paramref name="message"/> as one frame.</summary>
    /// <returns>The frame's size in bytes, or 0 when its body would exceed the frame limit (nothing written; the
    /// size is in <paramref name="bodyBytes"/>).</returns>
    public int Write(PipeWriter output, Message message, out long bodyBytes)
    {
        if (ReferenceEquals(_prepared, message))
        {
            _prepared = null;
            bodyBytes = (long)_body.WrittenCount + message.Payload.Length;
            return WritePrepared(output, message, bodyBytes);
        }
        _prepared = null;
        _body.Reset();
        MessageCodec.EncodeAllButPayload(message, _body);
        bodyBytes = (long)_body.WrittenCount + message.Payload.Length;
        if (bodyBytes > _maxFrameBytes)
        {
            return 0;
        }
        CompressionAlgo algo = message.Header.SkipCompression ? CompressionAlgo.NoSystemCompression : _compression.Current;
        if (algo is >= CompressionAlgo.Zstd01 and <= CompressionAlgo.Zstd11 && bodyBytes >= InPiecesFromBytes)
        {
            // Not prepared (the fields alone are large): compress it now, in one go.
            ValueTask<int> compressed = FrameCompressor.TryCompressZstdInPiecesAsync(algo, _body.WrittenMemory,
                message.Payload, _chunks, yieldBetweenSlices: false);
            System.Diagnostics.Debug.Assert(compressed.IsCompleted, "compressing without yields completes at once");
            _preparedAlgo = compressed.GetAwaiter().GetResult() > 0 ? algo : CompressionAlgo.None;
            return WritePrepared(output, message, bodyBytes);
        }
        if (algo is > CompressionAlgo.None and < CompressionAlgo.NoSystemCompression
            && bodyBytes >= FrameCompressor.MinBytesToCompress)
        {
            // The codecs want one contiguous input: join the payload to the encoded rest (one copy).
            _body.Write(message.Payload);
            _compressed.Reset();
            int compressedBytes = FrameCompressor.TryCompress(algo, _body.WrittenSpan, _compressed);
            if (compressedBytes > 0)
            {
                WriteHeader(output, (byte)algo, compressedBytes);
                output.Write(_compressed.WrittenSpan);
                return FrameHeader.Size + compressedBytes;
            }
            // Not worth it: send as is, marked so that a server does not take it as a switch to "none".
            WriteHeader(output, (byte)CompressionAlgo.NoSystemCompression, (int)bodyBytes);
            output.Write(_body.WrittenSpan);
            return FrameHeader.Size + (int)bodyBytes;
        }
        byte marker = algo == CompressionAlgo.None ? FrameBodyDecoder.NoCompression : (byte)CompressionAlgo.NoSystemCompression;
        return WriteAsIs(output, marker, message, bodyBytes);
    }

    public void Dispose()
    {
        _body.Dispose();
        _compressed.Dispose();
        _chunks.Dispose();
    }

    /// <summary>Whether <paramref name="message"/> should be compressed by <see cref="PrepareAsync"/> before
    /// <see cref="Write"/>: a large payload going out with zstd.</summary>
    public bool WantsPreparation(Message message) =>
        !message.Header.SkipCompression && message.Payload.Length >= InPiecesFromBytes
        && message.Payload.Length <= _maxFrameBytes
        && _compression.Current is >= CompressionAlgo.Zstd01 and <= CompressionAlgo.Zstd11;

    /// <summary>Compresses <paramref name="message"/>'s body in slices with yields between them (see
    /// <see cref="FrameCompressor.TryCompressZstdInPiecesAsync"/>); the next <see cref="Write"/> of the same message
    /// writes the result. A body over the frame limit is left for <see cref="Write"/> to refuse.</summary>
    public async ValueTask PrepareAsync(Message message)
    {
        _prepared = null;
        _body.Reset();
        MessageCodec.EncodeAllButPayload(message, _body);
        if ((long)_body.WrittenCount + message.Payload.Length > _maxFrameBytes)
        {
            return;
        }
        CompressionAlgo algo = _compression.Current;
        int compressed = await FrameCompressor.TryCompressZstdInPiecesAsync(algo, _body.WrittenMemory, message.Payload,
            _chunks, yieldBetweenSlices: true);
        _preparedAlgo = compressed > 0 ? algo : CompressionAlgo.None;
        _prepared = message;
    }

    /// <summary>Writes a body compressed into <see cref="_chunks"/> (or, when that was not worth it, the encoded fields
    /// and the payload as they are).</summary>
    private int WritePrepared(PipeWriter output, Message message, long bodyBytes)
    {
        if (_preparedAlgo == CompressionAlgo.None)
        {
            return WriteAsIs(output, (byte)CompressionAlgo.NoSystemCompression, message, bodyBytes);
        }
        int compressedBytes = _chunks.WrittenCount;
        WriteHeader(output, (byte)_preparedAlgo, compressedBytes);
        _chunks.CopyTo(output);
        _chunks.Reset();
        return FrameHeader.Size + compressedBytes;
    }

    /// <summary>Writes the encoded fields and then the payload straight from the caller's array (no intermediate
    /// copy), under a header with <paramref name="marker"/>.</summary>
    private int WriteAsIs(PipeWriter output, byte marker, Message message, long bodyBytes)
    {
        WriteHeader(output, marker, (int)bodyBytes);
        output.Write(_body.WrittenSpan);
        output.Write(message.Payload);
        return FrameHeader.Size + (int)bodyBytes;
    }

    private static void WriteHeader(PipeWriter output, byte compression, int bodyBytes)
    {
        Span<byte> header = output.GetSpan(FrameHeader.Size);
        FrameHeader.Write(header, compression, bodyBytes);
        Diagnostics.RpcMetrics.Frame(Diagnostics.RpcMetrics.FramesSent, compression);
        output.Advance(FrameHeader.Size);
    }
}
