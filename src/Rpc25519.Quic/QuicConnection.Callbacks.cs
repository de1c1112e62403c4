using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rpc25519.Security;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>The callbacks ngtcp2 and GnuTLS call during a native call made under the connection's gate. They record
/// what happened and never throw into native code.</summary>
internal sealed unsafe partial class QuicConnection
{
    private static NgCallbacks Callbacks(QuicLibrary.CryptoCallbacks crypto, bool server)
    {
        var callbacks = new NgCallbacks
        {
            RecvCryptoData = crypto.RecvCryptoData,
            Encrypt = (nint)(delegate* unmanaged<byte*, nint*, nint*, byte*, nuint, byte*, nuint, byte*, nuint, int>)
                &OnEncrypt,
            Decrypt = (nint)(delegate* unmanaged<byte*, nint*, nint*, byte*, nuint, byte*, nuint, byte*, nuint, int>)
                &OnDecrypt,
            HpMask = crypto.HpMask,
            UpdateKey = (nint)(delegate* unmanaged<nint, byte*, byte*, nint*, byte*, nint*, byte*, byte*, byte*, nuint,
                nint, int>)&OnUpdateKey,
            DeleteCryptoAeadCtx = (nint)(delegate* unmanaged<nint, nint*, nint, void>)&OnDeleteAeadContext,
            DeleteCryptoCipherCtx = crypto.DeleteCipherContext,
            GetPathChallengeData = crypto.GetPathChallengeData,
            VersionNegotiation = crypto.VersionNegotiation,
            RecvStreamData = (nint)(delegate* unmanaged<nint, uint, long, ulong, byte*, nuint, nint, nint, int>)
                &OnReceiveStreamData,
            AckedStreamDataOffset = (nint)(delegate* unmanaged<nint, long, ulong, ulong, nint, nint, int>)
                &OnAckedStreamData,
            StreamOpen = (nint)(delegate* unmanaged<nint, long, nint, int>)&OnStreamOpen,
            StreamClose = (nint)(delegate* unmanaged<nint, uint, long, ulong, nint, nint, int>)&OnStreamClose,
            StreamReset = (nint)(delegate* unmanaged<nint, long, ulong, ulong, nint, nint, int>)&OnStreamReset,
            HandshakeCompleted = (nint)(delegate* unmanaged<nint, nint, int>)&OnHandshakeCompleted,
            HandshakeConfirmed = (nint)(delegate* unmanaged<nint, nint, int>)&OnHandshakeConfirmed,
            Rand = (nint)(delegate* unmanaged<byte*, nuint, nint, void>)&OnRandom,
            GetNewConnectionId = (nint)(delegate* unmanaged<nint, NgCid*, byte*, nuint, nint, int>)&OnNewConnectionId,
            RemoveConnectionId = (nint)(delegate* unmanaged<nint, NgCid*, nint, int>)&OnRemoveConnectionId,
        };
        if (server)
        {
            callbacks.RecvClientInitial = crypto.RecvClientInitial;
        }
        else
        {
            callbacks.ClientInitial = crypto.ClientInitial;
            callbacks.RecvRetry = crypto.RecvRetry;
        }
        return callbacks;
    }

    private static QuicConnection From(nint userData) => (QuicConnection)GCHandle.FromIntPtr(userData).Target!;

    [UnmanagedCallersOnly]
    private static nint GetConnCallback(NgConnRef* reference) => reference->UserData;

    /// <summary>GnuTLS asks us to verify the peer's certificate: the TLS transport's rules, our reasons.</summary>
    [UnmanagedCallersOnly]
    internal static int VerifyPeerCallback(nint session)
    {
        var reference = (NgConnRef*)GnuTls.GetPointer(session);
        if (reference is null)
        {
            return -1;
        }
        QuicConnection connection = From(reference->Connection);
        try
        {
            uint count;
            GnuTlsDatum* certificates = GnuTls.GetPeerCertificates(session, &count);
            byte[]? leaf = certificates is null || count == 0 ? null
                : new ReadOnlySpan<byte>(certificates[0].Data, (int)certificates[0].Size).ToArray();
            connection._side.VerifyPeer(leaf, connection.RemoteAddress);
            return 0;
        }
        catch (CertificateRejectedException e)
        {
            connection._rejection = e.Message;
            connection._rejectionAlert = e.AlertDescription;
            return -1;
        }
        catch (Exception e)
        {
            connection._rejection = $"verifying the peer failed: {e.Message}";
            connection._rejectionAlert = Org.BouncyCastle.Tls.AlertDescription.internal_error;
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static int OnReceiveStreamData(nint conn, uint flags, long streamId, ulong offset, byte* data,
        nuint length, nint userData, nint streamUserData)
    {
        QuicConnection connection = From(userData);
        try
        {
            connection.ReceiveStreamDataLocked(streamId, new ReadOnlySpan<byte>(data, (int)length),
                (flags & Ngtcp2.StreamDataFlagFin) != 0);
            return 0;
        }
        catch (Exception e)
        {
            connection._callbackError ??= e;
            return Ngtcp2.ErrorCallbackFailure;
        }
    }

    private void ReceiveStreamDataLocked(long streamId, ReadOnlySpan<byte> data, bool fin)
    {
        if (_streamId < 0)
        {
            _streamId = streamId;
        }
        if (streamId != _streamId || _inputEnded)
        {
            return;
        }
        _batchStreamFrames++;
        while (!data.IsEmpty)
        {
            Span<byte> span = _input.Writer.GetSpan(Math.Min(data.Length, 16 * 1024));
            int chunk = Math.Min(span.Length, data.Length);
            data[..chunk].CopyTo(span);
            _input.Writer.Advance(chunk);
            data = data[chunk..];
        }
        // Flushed at the end of the receive batch, outside the gate (PumpInput): the reader resumes inline there. The
        // input pipe never pauses (QUIC flow control bounds it).
        _inputFlushPending = true;
        if (fin)
        {
            EndInputLocked(null);
        }
    }

    [UnmanagedCallersOnly]
    private static int OnAckedStreamData(nint conn, long streamId, ulong offset, ulong length, nint userData,
        nint streamUserData)
    {
        QuicConnection connection = From(userData);
        long end = (long)(offset + length);
        if (end > connection._acked)
        {
            connection._acked = end;
        }
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnStreamOpen(nint conn, long streamId, nint userData)
    {
        QuicConnection connection = From(userData);
        if (connection._streamId < 0)
        {
            connection._streamId = streamId;
        }
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnStreamClose(nint conn, uint flags, long streamId, ulong applicationError, nint userData,
        nint streamUserData)
    {
        QuicConnection connection = From(userData);
        if (streamId == connection._streamId)
        {
            connection.EndInputLocked(null);
        }
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnStreamReset(nint conn, long streamId, ulong finalSize, ulong applicationError,
        nint userData, nint streamUserData)
    {
        QuicConnection connection = From(userData);
        if (streamId == connection._streamId)
        {
            connection.EndInputLocked(new RpcConnectionClosedException(
                $"{connection.RemoteAddress} reset the QUIC stream (error {applicationError})."));
        }
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnHandshakeCompleted(nint conn, nint userData)
    {
        From(userData)._handshakeCompleted = true;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnHandshakeConfirmed(nint conn, nint userData)
    {
        From(userData)._handshakeConfirmed = true;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void OnRandom(byte* destination, nuint length, nint randomContext) =>
        RandomNumberGenerator.Fill(new Span<byte>(destination, (int)length));

    [UnmanagedCallersOnly]
    private static int OnNewConnectionId(nint conn, NgCid* cid, byte* token, nuint length, nint userData)
    {
        QuicConnection connection = From(userData);
        try
        {
            cid->Length = length;
            RandomNumberGenerator.Fill(new Span<byte>(cid->Data, (int)length));
            fixed (byte* secret = connection._endpoint.ResetSecret)
            {
                if (Ngtcp2Crypto.GenerateStatelessResetToken(token, secret, (nuint)connection._endpoint.ResetSecret.Length,
                        cid) != 0)
                {
                    return Ngtcp2.ErrorCallbackFailure;
                }
            }
            connection.RegisterLocked(CidKey.From(new ReadOnlySpan<byte>(cid->Data, (int)length)));
            return 0;
        }
        catch (Exception e)
        {
            connection._callbackError ??= e;
            return Ngtcp2.ErrorCallbackFailure;
        }
    }

    [UnmanagedCallersOnly]
    private static int OnRemoveConnectionId(nint conn, NgCid* cid, nint userData)
    {
        QuicConnection connection = From(userData);
        var key = CidKey.From(new ReadOnlySpan<byte>(cid->Data, (int)cid->Length));
        connection._cids.Remove(key);
        connection._endpoint.Unregister(key, connection);
        return 0;
    }
}
