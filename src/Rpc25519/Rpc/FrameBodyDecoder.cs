using System.Buffers;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>Turns a frame body into a <see cref="Message"/>, undoing the compression its header names.</summary>
internal static class FrameBodyDecoder
{
    /// <summary>Compression byte for an uncompressed body.</summary>
    public const byte NoCompression = 0;

    /// <exception cref="RpcProtocolException">Unknown compression, or the body is not a valid message.</exception>
    public static Message Decode(in FrameHeader header, in ReadOnlySequence<byte> body, int maxFrameBytes,
        DecodeContext context)
    {
        if (header.Compression != NoCompression)
        {
            throw new RpcProtocolException(ProtocolViolation.BadCompression,
                $"Frame uses compression {header.Compression}, which this build does not know.");
        }
        return MessageCodec.Decode(body, context);
    }
}
