using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Org.BouncyCastle.Tls;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// TLS 1.3 over an inner connection, driven through BouncyCastle's non-blocking mode: received bytes are offered to
/// the protocol and decrypted application data is read back; application data is written and the encrypted records
/// read back. No thread ever blocks on a socket. Runs the handshake for both record paths: after it, a connection
/// whose record ciphers are ours becomes a <see cref="TlsRecordConnection"/> (our record layer on the inner pipes);
/// this class keeps only BouncyCastle's own record layer (the managed cipher, for comparison).
/// </summary>
/// <remarks>
/// BouncyCastle's protocol object is not thread-safe and both loops use it, so every call into it holds
/// <see cref="_tlsLock"/>; no await happens under that lock.
/// After the handshake the server sends one application-data byte, <see cref="AcceptedMarker"/>: in TLS 1.3 the
/// client finishes before the server has checked the client's certificate, and the marker lets the client tell
/// "accepted" from "rejected" before it reports the connection as open.
/// </remarks>
internal sealed class TlsConnection : LayeredConnection
{
    /// <summary>The byte a server sends once it has accepted the client.</summary>
    private const byte AcceptedMarker = 0x01;

    /// <summary>Largest plaintext of one TLS record.</summary>
    private const int RecordPlaintextBytes = 16 * 1024;

    private readonly TlsProtocol _protocol;
    private readonly Lock _tlsLock = new();
    /// <summary>Largest whole record, header included.</summary>
    private const int RecordBufferBytes = TlsRecordLayer.MaxRecordBytes;

    /// <summary>Gathers a record's plaintext when it spans pipe segments; used by the send loop only.</summary>
    private readonly byte[] _gather = new byte[RecordPlaintextBytes];

    private TlsConnection(IConnection inner, TlsProtocol protocol, TlsSettings settings, PeerIdentity? peer)
        : base(inner, settings.Logger, settings.TimeProvider)
    {
        _protocol = protocol;
        Peer = peer;
    }

    /// <summary>The authenticated peer (null when verification was skipped and the peer sent no certificate).</summary>
    public PeerIdentity? Peer { get; }

    /// <summary>Runs the server side of the handshake on <paramref name="raw"/>.</summary>
    /// <exception cref="AuthenticationRejectedException">We rejected the client, or it rejected us.</exception>
    /// <exception cref="RpcTransportException">The client went away mid-handshake.</exception>
    public static async ValueTask<IConnection> AcceptAsync(IConnection raw, TlsSettings settings,
        CancellationToken cancellationToken)
    {
        var protocol = new TlsServerProtocol();
        var peer = new TlsServerPeer(settings, settings.NewCrypto(), raw.RemoteAddress);
        protocol.Accept(peer);
        await HandshakeAsync(protocol, raw, () => peer.RejectionReason, cancellationToken);
        protocol.WriteApplicationData([AcceptedMarker], 0, 1);
        CopyOutput(protocol, raw.Transport.Output);
        await raw.Transport.Output.FlushAsync(cancellationToken);
        return Established(raw, protocol, peer.Context, peer.FastCrypto, settings, peer.Client);
    }

    /// <summary>Runs the client side of the handshake on <paramref name="raw"/> and waits until the server has
    /// accepted us.</summary>
    /// <exception cref="AuthenticationRejectedException">We rejected the server, or it rejected us.</exception>
    /// <exception cref="RpcTransportException">The server went away mid-handshake.</exception>
    public static async ValueTask<IConnection> ConnectAsync(IConnection raw, TlsSettings settings,
        CancellationToken cancellationToken)
    {
        var protocol = new TlsClientProtocol();
        var peer = new TlsClientPeer(settings, settings.NewCrypto(), raw.RemoteAddress);
        protocol.Connect(peer);
        await HandshakeAsync(protocol, raw, () => peer.RejectionReason, cancellationToken);
        await AwaitAcceptanceAsync(protocol, raw, cancellationToken);
        return Established(raw, protocol, peer.Context, peer.FastCrypto, settings, peer.Server);
    }

    /// <summary>The connection after the handshake: our record layer on the inner pipes when the record ciphers are
    /// ours, else BouncyCastle's record layer behind this class's loops.</summary>
    private static IConnection Established(IConnection raw, TlsProtocol protocol, TlsContext context,
        TlsFastCrypto crypto, TlsSettings settings, PeerIdentity? peer)
    {
        if (TlsRecordLayer.TakeOver(context, crypto) is { } records)
        {
            return new TlsRecordConnection(raw, records, settings, peer);
        }
        var connection = new TlsConnection(raw, protocol, settings, peer);
        connection.Start(settings.Scheduler);
        return connection;
    }

    protected override SequencePosition Decode(ReadOnlySequence<byte> encoded, PipeWriter decoded)
    {
        lock (_tlsLock)
        {
            foreach (ReadOnlyMemory<byte> segment in encoded)
            {
                Offer(_protocol, segment);
                DrainApplicationData(decoded);
            }
            DrainApplicationData(decoded);
        }
        return encoded.End;
    }

    protected override void DecodeBuffered(PipeWriter decoded)
    {
        lock (_tlsLock)
        {
            DrainApplicationData(decoded);
        }
    }

    protected override void Encode(ReadOnlySequence<byte> plain, PipeWriter encoded)
    {
        lock (_tlsLock)
        {
            while (!plain.IsEmpty)
            {
                ReadOnlySequence<byte> chunk = plain.Slice(0, Math.Min(plain.Length, RecordPlaintextBytes));
                if (chunk.IsSingleSegment)
                {
                    _protocol.WriteApplicationData(chunk.FirstSpan);
                }
                else
                {
                    chunk.CopyTo(_gather);
                    _protocol.WriteApplicationData(_gather, 0, (int)chunk.Length);
                }
                plain = plain.Slice(chunk.End);
                CopyOutput(_protocol, encoded);
            }
        }
    }

    protected override bool HasPendingOutput
    {
        get
        {
            lock (_tlsLock)
            {
                return _protocol.GetAvailableOutputBytes() > 0;
            }
        }
    }

    protected override bool DrainPendingOutput(PipeWriter encoded)
    {
        lock (_tlsLock)
        {
            return CopyOutput(_protocol, encoded);
        }
    }

    protected override void EncodeClose(PipeWriter encoded)
    {
        lock (_tlsLock)
        {
            if (!_protocol.IsClosed)
            {
                _protocol.Close();
            }
            CopyOutput(_protocol, encoded);
        }
    }

    protected override bool PeerClosed
    {
        get
        {
            lock (_tlsLock)
            {
                return _protocol.IsClosed && _protocol.GetAvailableInputBytes() == 0;
            }
        }
    }

    private void DrainApplicationData(PipeWriter decoded) =>
        Pump(_protocol, decoded, static p => p.GetAvailableInputBytes(), static (p, a, o, n) => p.ReadInput(a, o, n));

    private static void Offer(TlsProtocol protocol, ReadOnlyMemory<byte> segment)
    {
        if (segment.IsEmpty)
        {
            return;
        }
        if (MemoryMarshal.TryGetArray(segment, out ArraySegment<byte> array))
        {
            protocol.OfferInput(array.Array!, array.Offset, array.Count);
        }
        else
        {
            protocol.OfferInput(segment.ToArray());
        }
    }

    /// <summary>
    /// Offers whole records to the protocol until <paramref name="done"/> holds, leaving later records in the
    /// buffer: so nothing after the handshake (or the acceptance byte) is swallowed by BouncyCastle before our own
    /// record layer takes over. Bytes that are not TLS records are offered at once, so the protocol fails fast.
    /// </summary>
    private static SequencePosition OfferRecords(TlsProtocol protocol, ReadOnlySequence<byte> buffer,
        Func<TlsProtocol, bool> done)
    {
        Span<byte> header = stackalloc byte[TlsRecordLayer.HeaderBytes];
        while (!done(protocol) && buffer.Length >= TlsRecordLayer.HeaderBytes)
        {
            buffer.Slice(0, TlsRecordLayer.HeaderBytes).CopyTo(header);
            int length = TlsRecordLayer.HeaderBytes + (header[3] << 8 | header[4]);
            if (header[0] is < 20 or > 23 || header[1] != 3 || length > RecordBufferBytes)
            {
                length = (int)Math.Min(buffer.Length, int.MaxValue);
            }
            if (buffer.Length < length)
            {
                break;
            }
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(0, length))
            {
                Offer(protocol, segment);
            }
            buffer = buffer.Slice(length);
        }
        return buffer.Start;
    }

    /// <summary>Moves every byte the protocol has queued for the peer into <paramref name="encoded"/>.</summary>
    private static bool CopyOutput(TlsProtocol protocol, PipeWriter encoded) =>
        Pump(protocol, encoded, static p => p.GetAvailableOutputBytes(), static (p, a, o, n) => p.ReadOutput(a, o, n));

    /// <summary>Moves bytes out of one of the protocol's queues into <paramref name="target"/>; returns whether
    /// there were any.</summary>
    private static bool Pump(TlsProtocol protocol, PipeWriter target, Func<TlsProtocol, int> available,
        Func<TlsProtocol, byte[], int, int, int> read)
    {
        bool any = false;
        int count;
        while ((count = available(protocol)) > 0)
        {
            any = true;
            Memory<byte> memory = target.GetMemory(count);
            if (MemoryMarshal.TryGetArray<byte>(memory, out ArraySegment<byte> array))
            {
                target.Advance(read(protocol, array.Array!, array.Offset, Math.Min(count, array.Count)));
            }
            else
            {
                byte[] copy = new byte[count];
                target.Write(copy.AsSpan(0, read(protocol, copy, 0, count)));
            }
        }
        return any;
    }

    /// <summary>Exchanges handshake records until the protocol reports the connection established.</summary>
    private static async Task HandshakeAsync(TlsProtocol protocol, IConnection raw, Func<string?> ourRejection,
        CancellationToken cancellationToken)
    {
        PipeReader input = raw.Transport.Input;
        PipeWriter output = raw.Transport.Output;
        try
        {
            while (true)
            {
                if (CopyOutput(protocol, output))
                {
                    await output.FlushAsync(cancellationToken);
                }
                if (protocol.IsConnected)
                {
                    return;
                }
                ReadResult read = await input.ReadAsync(cancellationToken);
                SequencePosition offered = OfferRecords(protocol, read.Buffer, static p => p.IsConnected);
                // Records after the handshake stay unexamined, so the record layer's first read returns them at once.
                input.AdvanceTo(offered, protocol.IsConnected ? offered : read.Buffer.End);
                if (read.IsCompleted && !protocol.IsConnected && protocol.GetAvailableOutputBytes() == 0)
                {
                    throw new RpcTransportException($"{raw.RemoteAddress} closed the connection during the TLS " +
                        "handshake.");
                }
            }
        }
        catch (TlsFatalAlertReceived e)
        {
            throw new AuthenticationRejectedException($"{raw.RemoteAddress} rejected the TLS handshake with alert " +
                $"'{AlertDescription.GetText(e.AlertDescription)}'{Hint(e.AlertDescription)}.", e);
        }
        catch (TlsFatalAlert e)
        {
            await SendAlertAsync(protocol, output);
            string reason = ourRejection() ?? e.Message;
            throw new AuthenticationRejectedException($"TLS handshake with {raw.RemoteAddress} failed: {reason}", e);
        }
        catch (TlsException e)
        {
            await SendAlertAsync(protocol, output);
            throw new AuthenticationRejectedException($"TLS handshake with {raw.RemoteAddress} failed: {e.Message}", e);
        }
    }

    /// <summary>Client: reads until the server's <see cref="AcceptedMarker"/> (or its rejection alert)
    /// arrives.</summary>
    private static async Task AwaitAcceptanceAsync(TlsProtocol protocol, IConnection raw,
        CancellationToken cancellationToken)
    {
        PipeReader input = raw.Transport.Input;
        try
        {
            while (protocol.GetAvailableInputBytes() == 0)
            {
                ReadResult read = await input.ReadAsync(cancellationToken);
                SequencePosition offered = OfferRecords(protocol, read.Buffer,
                    static p => p.GetAvailableInputBytes() > 0);
                input.AdvanceTo(offered, protocol.GetAvailableInputBytes() > 0 ? offered : read.Buffer.End);
                if (read.IsCompleted && protocol.GetAvailableInputBytes() == 0)
                {
                    throw new AuthenticationRejectedException($"{raw.RemoteAddress} closed the connection right " +
                        "after the TLS handshake; it probably rejected our certificate.");
                }
            }
        }
        catch (TlsFatalAlertReceived e)
        {
            throw new AuthenticationRejectedException($"{raw.RemoteAddress} rejected us with TLS alert " +
                $"'{AlertDescription.GetText(e.AlertDescription)}'{Hint(e.AlertDescription)}.", e);
        }
        byte[] marker = new byte[1];
        protocol.ReadInput(marker, 0, 1);
        if (marker[0] != AcceptedMarker)
        {
            throw new RpcTransportException($"{raw.RemoteAddress} sent 0x{marker[0]:x2} instead of the TLS " +
                "acceptance byte; is it an Rpc25519 server?");
        }
    }

    private static async Task SendAlertAsync(TlsProtocol protocol, PipeWriter output)
    {
        try
        {
            if (CopyOutput(protocol, output))
            {
                await output.FlushAsync();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The peer is gone; the alert was a courtesy.
        }
    }

    /// <summary>What a TLS alert from the peer most likely means for the user (also used by the QUIC transport).</summary>
    internal static string Hint(short alert) => alert switch
    {
        AlertDescription.unknown_ca => " (our certificate is not signed by the CA the peer trusts)",
        AlertDescription.access_denied => " (our key is not in the peer's locked-down known-keys list)",
        AlertDescription.certificate_required => " (the peer wants a client certificate; is SkipVerifyKeys set on " +
            "one side only?)",
        AlertDescription.unsupported_certificate => " (the peer accepts only Ed25519 certificates for this role)",
        AlertDescription.bad_certificate => " (the peer did not accept our certificate)",
        AlertDescription.certificate_expired => " (a certificate is outside its validity period)",
        AlertDescription.handshake_failure => " (no common TLS 1.3 / ChaCha20-Poly1305 / Ed25519 parameters)",
        _ => "",
    };
}
