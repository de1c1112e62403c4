using System.Buffers;
using Rpc25519.Compression;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>Turns a frame body into a <see cref="Message"/>, undoing the compression its header names
/// (reader makes right: whatever the sender chose, whatever this side's own setting).</summary>
internal static class FrameBodyDecoder
{
    /// <summary>Compression byte for an uncompressed body.</summary>
    public const byte NoCompression = 0;

    /// <summary>The size the body will have once decompressed, as it declares it (its own length when it is not
    /// compressed, or too short to say); checked against the limits when it is decoded.</summary>
    public static long DecodedSize(in FrameHeader header, in ReadOnlySequence<byte> body)
    {
        if (header.Compression is NoCompression or (byte)CompressionAlgo.NoSystemCompression
            || body.Length < FrameCompressor.LengthPrefixBytes)
        {
            return body.Length;
        }
        Span<byte> prefix = stackalloc byte[FrameCompressor.LengthPrefixBytes];
        body.Slice(0, FrameCompressor.LengthPrefixBytes).CopyTo(prefix);
        return Math.Max(0, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(prefix));
    }

    /// <exception cref="RpcProtocolException">Unknown compression, a body that does not decompress or would expand
    /// past <paramref name="maxFrameBytes"/>, or a body that is not a valid message.</exception>
    public static Message Decode(in FrameHeader header, in ReadOnlySequence<byte> body, int maxFrameBytes,
        DecodeContext context)
    {
        if (header.Compression is NoCompression or (byte)CompressionAlgo.NoSystemCompression)
        {
            return MessageCodec.Decode(body, context);
        }
        byte[] expanded = FrameDecompressor.Decompress((CompressionAlgo)header.Compression, body, maxFrameBytes,
            out int length);
        try
        {
            return MessageCodec.Decode(new ReadOnlySequence<byte>(expanded, 0, length), context);
        }
        finally
        {
            FrameDecompressor.ReturnBuffer(expanded);
        }
    }
}
