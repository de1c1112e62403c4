using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic.Native;

// Structures of ngtcp2 0.12 (ngtcp2/ngtcp2.h, ngtcp2/ngtcp2_crypto.h) and GnuTLS 3.7, laid out field for field as the
// headers declare them for 64-bit Linux. Sizes and offsets were checked with a C program against the installed headers
// (tests/Rpc25519.Quic.Tests/native/layout.c prints them; NativeLayoutTests asserts the same numbers here).

/// <summary><c>ngtcp2_cid</c>: a connection ID of up to 20 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgCid
{
    public const int MaxLength = 20;

    public nuint Length;
    public fixed byte Data[MaxLength];

    public static NgCid From(ReadOnlySpan<byte> bytes)
    {
        var cid = new NgCid { Length = (nuint)bytes.Length };
        bytes.CopyTo(new Span<byte>(cid.Data, MaxLength));
        return cid;
    }
}

/// <summary><c>ngtcp2_vec</c>: a pointer and a length.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgVec
{
    public byte* Base;
    public nuint Length;
}

/// <summary><c>ngtcp2_pkt_info</c> (aligned to 8 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 8)]
internal struct NgPacketInfo
{
    public uint Ecn;
}

/// <summary><c>ngtcp2_addr</c>: a socket address and its length.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgAddr
{
    public byte* Address;
    public uint AddressLength;
}

/// <summary><c>ngtcp2_path</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgPath
{
    public NgAddr Local;
    public NgAddr Remote;
    public void* UserData;
}

/// <summary><c>ngtcp2_settings</c> (version 1).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgSettings
{
    public NgCid QlogOriginalDcid;
    public nint QlogWrite;
    public int CongestionControlAlgorithm;
    public ulong InitialTimestamp;
    public ulong InitialRtt;
    public nint LogPrintf;
    public nuint MaxTxUdpPayloadSize;
    public NgVec Token;
    public nint RandContext;
    public ulong MaxWindow;
    public ulong MaxStreamWindow;
    public nuint AckThreshold;
    public int NoTxUdpPayloadSizeShaping;
    public ulong HandshakeTimeout;
    public uint* PreferredVersions;
    public nuint PreferredVersionsLength;
    public uint* OtherVersions;
    public nuint OtherVersionsLength;
    public uint OriginalVersion;
    public int NoPmtud;
}

/// <summary><c>ngtcp2_transport_params</c> (version 1). The preferred address (96 bytes) is not used and kept
/// opaque.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgTransportParams
{
    public fixed byte PreferredAddress[96];
    public NgCid OriginalDcid;
    public NgCid InitialScid;
    public NgCid RetryScid;
    public ulong InitialMaxStreamDataBidiLocal;
    public ulong InitialMaxStreamDataBidiRemote;
    public ulong InitialMaxStreamDataUni;
    public ulong InitialMaxData;
    public ulong InitialMaxStreamsBidi;
    public ulong InitialMaxStreamsUni;
    public ulong MaxIdleTimeout;
    public ulong MaxUdpPayloadSize;
    public ulong ActiveConnectionIdLimit;
    public ulong AckDelayExponent;
    public ulong MaxAckDelay;
    public ulong MaxDatagramFrameSize;
    public byte StatelessResetTokenPresent;
    public byte DisableActiveMigration;
    public byte RetryScidPresent;
    public byte PreferredAddressPresent;
    public fixed byte StatelessResetToken[16];
    public byte GreaseQuicBit;
    public uint VersionInfoChosenVersion;
    public byte* VersionInfoOtherVersions;
    public nuint VersionInfoOtherVersionsLength;
    public byte VersionInfoPresent;
}

/// <summary><c>ngtcp2_pkt_hd</c>: a decoded packet header.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NgPacketHeader
{
    public NgCid Dcid;
    public NgCid Scid;
    public long PacketNumber;
    public NgVec Token;
    public nuint PacketNumberLength;
    public nuint Length;
    public uint Version;
    public byte Type;
    public byte Flags;
}

/// <summary><c>ngtcp2_version_cid</c>: the version and connection IDs of any packet.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgVersionCid
{
    public uint Version;
    public byte* Dcid;
    public nuint DcidLength;
    public byte* Scid;
    public nuint ScidLength;
}

/// <summary><c>ngtcp2_connection_close_error</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgConnectionCloseError
{
    public const int TypeTransport = 0;
    public const int TypeApplication = 1;
    public const int TypeTransportIdleClose = 3;

    public int Type;
    public ulong ErrorCode;
    public ulong FrameType;
    public byte* Reason;
    public nuint ReasonLength;
}

/// <summary><c>ngtcp2_info</c>, what <c>ngtcp2_version</c> returns.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NgInfo
{
    public int Age;
    public int VersionNumber;
    public byte* VersionString;
}

/// <summary><c>ngtcp2_crypto_conn_ref</c>, which GnuTLS's session pointer must point at, followed by our own
/// field: the handle of the managed connection (so the GnuTLS certificate callback can find it).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NgConnRef
{
    public nint GetConn;
    public nint UserData;
    public nint Connection;
}

/// <summary><c>gnutls_datum_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GnuTlsDatum
{
    public byte* Data;
    public uint Size;
}
