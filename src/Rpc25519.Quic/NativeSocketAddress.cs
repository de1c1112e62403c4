using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic;

/// <summary>An IPv4 or IPv6 address and port as a native Linux <c>sockaddr_in</c>/<c>sockaddr_in6</c> in unmanaged
/// memory, as ngtcp2 paths point at.</summary>
internal sealed unsafe class NativeSocketAddress
{
    private const ushort FamilyIPv4 = 2;
    private const ushort FamilyIPv6 = 10;

    private NativeSocketAddress(byte* address, uint length)
    {
        Address = address;
        Length = length;
    }

    public byte* Address { get; private set; }

    public uint Length { get; }

    /// <summary>Allocates the native form of <paramref name="endPoint"/>; the owner calls <see cref="Free"/> once
    /// nothing points at it any more.</summary>
    public static NativeSocketAddress Allocate(IPEndPoint endPoint)
    {
        byte* memory = (byte*)NativeMemory.AllocZeroed(28);
        var span = new Span<byte>(memory, 28);
        Write(endPoint, span, out uint length);
        return new NativeSocketAddress(memory, length);
    }

    /// <summary>Frees the native memory (once).</summary>
    public void Free()
    {
        NativeMemory.Free(Address);
        Address = null;
    }

    /// <summary>Writes the native form into <paramref name="destination"/> (at least 28 bytes).</summary>
    public static void Write(IPEndPoint endPoint, Span<byte> destination, out uint length)
    {
        destination[..28].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endPoint.Port);
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, FamilyIPv4);
            endPoint.Address.TryWriteBytes(destination[4..8], out _);
            length = 16;
            return;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination, FamilyIPv6);
        endPoint.Address.TryWriteBytes(destination[8..24], out _);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)endPoint.Address.ScopeId);
        length = 28;
    }
}
