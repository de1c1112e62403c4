using System.Buffers.Binary;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>The KV state machine's only command: client <c>ClientId</c>'s operation <c>Sequence</c> sets Key to
/// Value.</summary>
internal readonly record struct KvCommand(int ClientId, int Sequence, int Key, long Value)
{
    public byte[] Encode()
    {
        var bytes = new byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, ClientId);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Key);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), Value);
        return bytes;
    }

    public static KvCommand Decode(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadInt32LittleEndian(bytes),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(bytes[12..]));
}
