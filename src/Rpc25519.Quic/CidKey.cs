using System.Buffers.Binary;

namespace Rpc25519.Transport.Quic;

/// <summary>A connection ID (up to 20 bytes) as a dictionary key, made from a span without allocating.</summary>
internal readonly record struct CidKey(ulong A, ulong B, uint C, byte Length)
{
    /// <summary>Length of the connection IDs this transport issues.</summary>
    public const int IssuedLength = 16;

    public static CidKey From(ReadOnlySpan<byte> cid)
    {
        if (cid.Length > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(cid), "a QUIC connection ID has at most 20 bytes");
        }
        Span<byte> padded = stackalloc byte[20];
        padded.Clear();
        cid.CopyTo(padded);
        return new CidKey(BinaryPrimitives.ReadUInt64LittleEndian(padded),
            BinaryPrimitives.ReadUInt64LittleEndian(padded[8..]), BinaryPrimitives.ReadUInt32LittleEndian(padded[16..]),
            (byte)cid.Length);
    }
}
