using System.Buffers;
using System.IO.Pipelines;
using Rpc25519.Compression;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>The compression for outgoing frames (a <see cref="CompressionAlgo"/> below
    /// <see cref="CompressionAlgo.NoSystemCompression"/>). Written by the reader loop when mirroring, read by the drain.</summary>
    private int _sendCompression = -1;

    /// <summary>Reused by the one running drain: the compressed body of the frame being written.</summary>
    private readonly PooledBufferWriter _compressed = new();

    /// <summary>Frames received, by compression byte (0–7); written only by the reader loop.</summary>
    private readonly long[] _framesReceivedByCompression = new long[8];

    /// <summary>Frames received so far that used <paramref name="algo"/> (diagnostics and tests).</summary>
    public long FramesReceived(CompressionAlgo algo) => Volatile.Read(ref _framesReceivedByCompression[(byte)algo & 7]);

    /// <summary>Changes the compression this side sends with from the next frame on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a sendable algorithm.</exception>
    public void SetSendCompression(CompressionAlgo algo)
    {
        if (algo > CompressionAlgo.Zstd11)
        {
            throw new ArgumentOutOfRangeException(nameof(algo), algo,
                $"Use one of: {string.Join(", ", CompressionNames.All)}.");
        }
        Volatile.Write(ref _sendCompression, (int)algo);
    }

    /// <summary>Whether this side answers in the compression the peer last used (the server side does).</summary>
    public bool MirrorPeerCompression { get; set; }

    /// <summary>The compression this connection currently sends with.</summary>
    public CompressionAlgo SendCompression
    {
        get
        {
            int current = Volatile.Read(ref _sendCompression);
            return current < 0 ? _endpoint.Config.Compression : (CompressionAlgo)current;
        }
    }

    /// <summary>Called by the reader loop for every frame: a server follows its client's latest choice. Frames
    /// marked <see cref="CompressionAlgo.NoSystemCompression"/> (opted out, or not worth compressing) say nothing
    /// about the choice and are ignored, as are unknown values.</summary>
    private void NotePeerCompression(byte compression)
    {
        if (compression < _framesReceivedByCompression.Length)
        {
            Volatile.Write(ref _framesReceivedByCompression[compression], _framesReceivedByCompression[compression] + 1);
        }
        if (MirrorPeerCompression && compression <= (byte)CompressionAlgo.Zstd11)
        {
            Volatile.Write(ref _sendCompression, compression);
        }
    }

    /// <summary>Writes one frame's header and body to <paramref name="output"/>, compressed when the connection's
    /// algorithm asks for it and it helps; returns the frame's size.</summary>
    /// <param name="output">Where the frame goes.</param>
    /// <param name="message">The message; its payload is not yet in <see cref="_body"/>.</param>
    /// <param name="bodyBytes">Size of the uncompressed body (encoded message incl. payload).</param>
    private int WriteFrameBody(PipeWriter output, Message message, int bodyBytes)
    {
        CompressionAlgo algo = message.Header.SkipCompression ? CompressionAlgo.NoSystemCompression : SendCompression;
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
            WriteHeader(output, (byte)CompressionAlgo.NoSystemCompression, bodyBytes);
            output.Write(_body.WrittenSpan);
            return FrameHeader.Size + bodyBytes;
        }
        byte marker = algo == CompressionAlgo.None ? FrameBodyDecoder.NoCompression : (byte)CompressionAlgo.NoSystemCompression;
        WriteHeader(output, marker, bodyBytes);
        output.Write(_body.WrittenSpan);
        // The payload goes straight from the caller's array into the transport's buffer: no intermediate copy.
        output.Write(message.Payload);
        return FrameHeader.Size + bodyBytes;
    }

    private static void WriteHeader(PipeWriter output, byte compression, int bodyBytes)
    {
        Span<byte> header = output.GetSpan(FrameHeader.Size);
        FrameHeader.Write(header, compression, bodyBytes);
        output.Advance(FrameHeader.Size);
    }
}
