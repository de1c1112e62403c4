using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic.Native;

/// <summary><c>ngtcp2_callbacks</c> (version 1): 40 function pointers in header order; zero means "not set".</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NgCallbacks
{
    public nint ClientInitial;
    public nint RecvClientInitial;
    public nint RecvCryptoData;
    public nint HandshakeCompleted;
    public nint RecvVersionNegotiation;
    public nint Encrypt;
    public nint Decrypt;
    public nint HpMask;
    public nint RecvStreamData;
    public nint AckedStreamDataOffset;
    public nint StreamOpen;
    public nint StreamClose;
    public nint RecvStatelessReset;
    public nint RecvRetry;
    public nint ExtendMaxLocalStreamsBidi;
    public nint ExtendMaxLocalStreamsUni;
    public nint Rand;
    public nint GetNewConnectionId;
    public nint RemoveConnectionId;
    public nint UpdateKey;
    public nint PathValidation;
    public nint SelectPreferredAddr;
    public nint StreamReset;
    public nint ExtendMaxRemoteStreamsBidi;
    public nint ExtendMaxRemoteStreamsUni;
    public nint ExtendMaxStreamData;
    public nint DcidStatus;
    public nint HandshakeConfirmed;
    public nint RecvNewToken;
    public nint DeleteCryptoAeadCtx;
    public nint DeleteCryptoCipherCtx;
    public nint RecvDatagram;
    public nint AckDatagram;
    public nint LostDatagram;
    public nint GetPathChallengeData;
    public nint StreamStopSending;
    public nint VersionNegotiation;
    public nint RecvRxKey;
    public nint RecvTxKey;
    public nint EarlyDataRejected;
}
