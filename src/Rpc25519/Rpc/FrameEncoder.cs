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
        _body.Reset();
        MessageCodec.EncodeAllButPayload(message, _body);
        bodyBytes = (long)_body.WrittenCount + message.Payload.Length;
        if (bodyBytes > _maxFrameBytes)
        {
            return 0;
        }
        CompressionAlgo algo = message.Header.SkipCompression ? CompressionAlgo.NoSystemCompression : _compression.Current;
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
        WriteHeader(output, marker, (int)bodyBytes);
        output.Write(_body.WrittenSpan);
        // The payload goes straight from the caller's array into the transport's buffer: no intermediate copy.
        output.Write(message.Payload);
        return FrameHeader.Size + (int)bodyBytes;
    }

    public void Dispose()
    {
        _body.Dispose();
        _compressed.Dispose();
    }

    private static void WriteHeader(PipeWriter output, byte compression, int bodyBytes)
    {
        Span<byte> header = output.GetSpan(FrameHeader.Size);
        FrameHeader.Write(header, compression, bodyBytes);
        Diagnostics.RpcMetrics.Frame(Diagnostics.RpcMetrics.FramesSent, compression);
        output.Advance(FrameHeader.Size);
    }
}
