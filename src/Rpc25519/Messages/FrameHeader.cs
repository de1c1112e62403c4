using System.Buffers;
using System.Buffers.Binary;

namespace Rpc25519.Messages;

/// <summary>
/// The 12-byte header in front of every frame body:
/// <c>magic (4: 0x52 0x50 0x43 0xED) | version (1) | compression (1) | reserved (2, zero) | body length (4, big-endian)</c>.
/// </summary>
internal readonly struct FrameHeader
{
    /// <summary>Bytes in a header.</summary>
    public const int Size = 12;

    /// <summary>The only format version this build reads and writes.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>"RPC" and 0xED (for Ed25519): chosen so that a TLS record (0x16 0x03 ...) or HTTP text never matches.</summary>
    private static ReadOnlySpan<byte> Magic => [0x52, 0x50, 0x43, 0xED];

    public FrameHeader(byte compression, int bodyLength)
    {
        Compression = compression;
        BodyLength = bodyLength;
    }

    /// <summary>Which compression the body uses (0 = none).</summary>
    public byte Compression { get; }

    /// <summary>Length of the body that follows the header, in bytes.</summary>
    public int BodyLength { get; }

    /// <summary>Writes a header into <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public static void Write(Span<byte> destination, byte compression, int bodyLength)
    {
        Magic.CopyTo(destination);
        destination[4] = CurrentVersion;
        destination[5] = compression;
        destination[6] = 0;
        destination[7] = 0;
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], bodyLength);
    }

    /// <summary>
    /// Whether <paramref name="bytes"/> (at least <see cref="Size"/> of them) start with the frame magic, and if so
    /// how long the whole frame is, header included. Checks nothing else: for tools that cut a byte stream into frames
    /// (the simulated network) without decoding them.
    /// </summary>
    public static bool TryGetFrameLength(ReadOnlySpan<byte> bytes, out long frameBytes)
    {
        frameBytes = 0;
        if (bytes.Length < Size || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            return false;
        }
        frameBytes = Size + (long)(uint)BinaryPrimitives.ReadInt32BigEndian(bytes[8..Size]);
        return true;
    }

    /// <summary>
    /// Reads a header from the start of <paramref name="buffer"/>. Returns <see langword="false"/> when fewer than
    /// <see cref="Size"/> bytes are there, but rejects a bad magic as soon as any of its bytes has arrived.
    /// </summary>
    /// <exception cref="RpcProtocolException">The bytes cannot start a valid frame.</exception>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, int maxFrameBytes, out FrameHeader header)
    {
        header = default;
        Span<byte> bytes = stackalloc byte[Size];
        int available = (int)Math.Min(buffer.Length, Size);
        buffer.Slice(0, available).CopyTo(bytes);
        int magicAvailable = Math.Min(available, Magic.Length);
        if (!bytes[..magicAvailable].SequenceEqual(Magic[..magicAvailable]))
        {
            throw new RpcProtocolException(ProtocolViolation.BadMagic,
                "Frame does not start with the Rpc25519 magic bytes; is the peer speaking TLS to a plain-TCP endpoint " +
                "(or the reverse), or not Rpc25519 at all?");
        }
        if (available < Size)
        {
            return false;
        }
        if (bytes[4] != CurrentVersion)
        {
            throw new RpcProtocolException(ProtocolViolation.UnsupportedVersion,
                $"Frame format version {bytes[4]} is not supported (this build speaks version {CurrentVersion}); " +
                "upgrade the older side.");
        }
        if (bytes[6] != 0 || bytes[7] != 0)
        {
            throw new RpcProtocolException(ProtocolViolation.ReservedBitsSet,
                "Frame header has reserved bytes set; the peer speaks a newer or corrupt format.");
        }
        int length = BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
        if (length < 0 || length > maxFrameBytes)
        {
            throw new RpcProtocolException(ProtocolViolation.FrameTooLarge,
                $"Frame body of {(uint)length} bytes exceeds the limit of {maxFrameBytes} bytes " +
                "(RpcOptions.MaxFrameBytes); send large data as a stream, or raise the limit on both sides.");
        }
        header = new FrameHeader(bytes[5], length);
        return true;
    }
}
