using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// The pre-shared-key layer over an inner connection (TLS or plain TCP). Handshake: the client sends a hello with
/// its ephemeral X25519 key; the server answers with its own key and a confirmation tag; the client sends its tag.
/// Each side checks the other's tag, so ends with different pre-shared keys both fail with a clear error.
/// Afterwards every chunk of the stream travels as a record <c>[4-byte big-endian length][ChaCha20-Poly1305
/// ciphertext and tag]</c> with the length as associated data and a per-direction counter as nonce: a forged,
/// replayed, reordered or dropped record fails authentication and closes the connection.
/// </summary>
/// <remarks>The receive loop alone uses the receive key and counter, the send loop alone the send key and
/// counter.</remarks>
internal sealed class PskConnection : LayeredConnection
{
    /// <summary>Largest plaintext of one record.</summary>
    public const int RecordPlaintextBytes = 64 * 1024;

    private const int HeaderBytes = 4;
    private const int TagBytes = 16;
    private const int NonceBytes = 12;
    private static readonly byte[] HelloMagic = "R25P"u8.ToArray();

    /// <summary>What a server sends once it has accepted a client's signed handshake.</summary>
    private const byte AcceptedMarker = 0x01;

    /// <summary>The handshake without node-key signatures.</summary>
    private const byte UnsignedVersion = 1;

    /// <summary>The handshake in which each side also proves its certificate's key (see
    /// <see cref="PskNodeSignature"/>).</summary>
    private const byte SignedVersion = 2;

    private readonly ChaCha20Poly1305 _sendAead;
    private readonly ChaCha20Poly1305 _receiveAead;
    private readonly byte[] _sendNonce = new byte[NonceBytes];
    private readonly byte[] _receiveNonce = new byte[NonceBytes];
    private readonly byte[] _gather = new byte[RecordPlaintextBytes];
    private readonly byte[] _ciphertext = new byte[RecordPlaintextBytes + TagBytes];
    private ulong _sendCounter;
    private ulong _receiveCounter;

    private PskConnection(IConnection inner, byte[] sendKey, byte[] receiveKey, ILogger logger, TimeProvider time)
        : base(inner, logger, time)
    {
        _sendAead = new ChaCha20Poly1305(sendKey);
        _receiveAead = new ChaCha20Poly1305(receiveKey);
        CryptographicOperations.ZeroMemory(sendKey);
        CryptographicOperations.ZeroMemory(receiveKey);
    }

    /// <summary>Client side of the handshake.</summary>
    /// <param name="raw">The inner connection.</param>
    /// <param name="psk">The pre-shared key.</param>
    /// <param name="identity">This side's node key and trust anchors when the handshake is signed; null when not.</param>
    /// <param name="environment">Clock, scheduler and logging.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ, one side signs and the other does
    /// not, or the server's certificate or signature is refused.</exception>
    public static async ValueTask<IConnection> ConnectAsync(IConnection raw, byte[] psk, TlsIdentity? identity,
        TransportEnvironment environment, CancellationToken cancellationToken)
    {
        byte version = identity is null ? UnsignedVersion : SignedVersion;
        var (ephemeral, clientPublic) = PskKeys.NewEphemeral();
        await WriteAsync(raw, [.. HelloMagic, version, .. clientPublic], cancellationToken);
        byte[] reply = await ReadExactlyAsync(raw, HelloMagic.Length + 1 + 2 * PskKeys.Bytes, cancellationToken);
        CheckHello(reply, raw.RemoteAddress, version);
        byte[] serverPublic = reply[(HelloMagic.Length + 1)..(HelloMagic.Length + 1 + PskKeys.Bytes)];
        PskKeys.SessionKeys keys = PskKeys.Derive(psk, ephemeral, serverPublic, clientPublic, serverPublic);
        ReadOnlySpan<byte> serverConfirm = reply.AsSpan(HelloMagic.Length + 1 + PskKeys.Bytes);
        if (!CryptographicOperations.FixedTimeEquals(keys.ServerConfirm, serverConfirm))
        {
            await WriteAsync(raw, keys.ClientConfirm, cancellationToken);
            throw Mismatch(raw.RemoteAddress);
        }
        if (identity is null)
        {
            await WriteAsync(raw, keys.ClientConfirm, cancellationToken);
        }
        else
        {
            await VerifyProofAsync(raw, identity, peerIsServer: true, clientPublic, serverPublic,
                environment.TimeProvider, cancellationToken);
            await WriteAsync(raw, [.. keys.ClientConfirm,
                .. PskNodeSignature.Prove(identity, server: false, clientPublic, serverPublic)], cancellationToken);
            // The server judges this side last: wait for its verdict, so that a refusal is reported here and now.
            byte[] verdict = await ReadExactlyAsync(raw, 1, cancellationToken, refusedByPeer: true);
            if (verdict[0] != AcceptedMarker)
            {
                throw new AuthenticationRejectedException($"{raw.RemoteAddress} answered the pre-shared-key " +
                    "handshake with an unknown verdict; closing.");
            }
        }
        return Start(raw, keys.ClientToServer, keys.ServerToClient, environment);
    }

    /// <summary>Server side of the handshake.</summary>
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ.</exception>
    /// <param name="raw">The inner connection.</param>
    /// <param name="psk">The pre-shared key.</param>
    /// <param name="identity">This side's node key and trust anchors when the handshake is signed; null when not.</param>
    /// <param name="environment">Clock, scheduler and logging.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ, one side signs and the other does
    /// not, or the client's certificate or signature is refused.</exception>
    public static async ValueTask<IConnection> AcceptAsync(IConnection raw, byte[] psk, TlsIdentity? identity,
        TransportEnvironment environment, CancellationToken cancellationToken)
    {
        byte version = identity is null ? UnsignedVersion : SignedVersion;
        // The magic first: a client speaking anything else (an HTTP request, TLS) is refused on its first bytes
        // instead of holding a handshake slot until the rest of a hello arrives.
        byte[] greeting = await ReadExactlyAsync(raw, HelloMagic.Length + 1, cancellationToken);
        CheckHello(greeting, raw.RemoteAddress, expectedVersion: null);
        byte[] clientPublic = await ReadExactlyAsync(raw, PskKeys.Bytes, cancellationToken);
        var (ephemeral, serverPublic) = PskKeys.NewEphemeral();
        PskKeys.SessionKeys keys = PskKeys.Derive(psk, ephemeral, clientPublic, clientPublic, serverPublic);
        byte[] hello = [.. HelloMagic, version, .. serverPublic, .. keys.ServerConfirm];
        // The hello goes out even when the versions differ, so that the client can say so clearly too.
        await WriteAsync(raw, identity is null || greeting[HelloMagic.Length] != version ? hello
            : [.. hello, .. PskNodeSignature.Prove(identity, server: true, clientPublic, serverPublic)], cancellationToken);
        CheckHello(greeting, raw.RemoteAddress, version);
        byte[] confirm = await ReadExactlyAsync(raw, PskKeys.Bytes, cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(keys.ClientConfirm, confirm))
        {
            throw Mismatch(raw.RemoteAddress);
        }
        if (identity is not null)
        {
            await VerifyProofAsync(raw, identity, peerIsServer: false, clientPublic, serverPublic,
                environment.TimeProvider, cancellationToken);
            await WriteAsync(raw, [AcceptedMarker], cancellationToken);
        }
        return Start(raw, keys.ServerToClient, keys.ClientToServer, environment);
    }

    /// <summary>Reads the other side's certificate and signature and checks them.</summary>
    private static async ValueTask VerifyProofAsync(IConnection raw, TlsIdentity identity, bool peerIsServer,
        byte[] clientPublic, byte[] serverPublic, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        byte[] lengthBytes = await ReadExactlyAsync(raw, 2, cancellationToken);
        int length = BinaryPrimitives.ReadUInt16BigEndian(lengthBytes);
        if (length == 0 || length > PskNodeSignature.MaxCertificateBytes)
        {
            throw new AuthenticationRejectedException($"{raw.RemoteAddress} sent a certificate of {length} bytes in " +
                $"its pre-shared-key handshake (1 to {PskNodeSignature.MaxCertificateBytes} allowed); closing.");
        }
        byte[] proof = await ReadExactlyAsync(raw, length + PskNodeSignature.SignatureBytes, cancellationToken);
        PskNodeSignature.Verify(proof[..length], proof[length..], peerIsServer, identity, clientPublic, serverPublic,
            raw.RemoteAddress, timeProvider.GetUtcNow());
    }

    protected override SequencePosition Decode(ReadOnlySequence<byte> encoded, PipeWriter decoded)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        while (encoded.Length >= HeaderBytes)
        {
            encoded.Slice(0, HeaderBytes).CopyTo(header);
            int length = BinaryPrimitives.ReadInt32BigEndian(header);
            if (length < TagBytes || length > RecordPlaintextBytes + TagBytes)
            {
                throw new AuthenticationRejectedException($"Pre-shared-key record of {length} bytes from " +
                    $"{RemoteAddress} is out of range; closing.");
            }
            if (encoded.Length < HeaderBytes + length)
            {
                break;
            }
            ReadOnlySequence<byte> record = encoded.Slice(HeaderBytes, length);
            ReadOnlySpan<byte> sealedRecord = record.IsSingleSegment ? record.FirstSpan : Gather(record);
            int plainLength = length - TagBytes;
            Span<byte> plain = decoded.GetSpan(Math.Max(plainLength, 1))[..plainLength];
            SetNonce(_receiveNonce, _receiveCounter++);
            try
            {
                _receiveAead.Decrypt(_receiveNonce, sealedRecord[..plainLength], sealedRecord[plainLength..], plain,
                    header);
            }
            catch (AuthenticationTagMismatchException e)
            {
                throw new AuthenticationRejectedException($"A pre-shared-key record from {RemoteAddress} failed " +
                    "authentication (tampered, replayed or reordered); closing.", e);
            }
            decoded.Advance(plainLength);
            encoded = encoded.Slice(HeaderBytes + length);
        }
        return encoded.Start;
    }

    protected override void Encode(ReadOnlySequence<byte> plain, PipeWriter encoded)
    {
        while (!plain.IsEmpty)
        {
            ReadOnlySequence<byte> chunk = plain.Slice(0, Math.Min(plain.Length, RecordPlaintextBytes));
            int length = (int)chunk.Length;
            ReadOnlySpan<byte> source = chunk.IsSingleSegment ? chunk.FirstSpan : CopyInto(chunk, _gather);
            Span<byte> output = encoded.GetSpan(HeaderBytes + length + TagBytes);
            BinaryPrimitives.WriteInt32BigEndian(output, length + TagBytes);
            SetNonce(_sendNonce, _sendCounter++);
            _sendAead.Encrypt(_sendNonce, source, output.Slice(HeaderBytes, length),
                output.Slice(HeaderBytes + length, TagBytes), output[..HeaderBytes]);
            encoded.Advance(HeaderBytes + length + TagBytes);
            plain = plain.Slice(chunk.End);
        }
    }

    private ReadOnlySpan<byte> Gather(ReadOnlySequence<byte> record) => CopyInto(record, _ciphertext);

    private static ReadOnlySpan<byte> CopyInto(ReadOnlySequence<byte> source, byte[] target)
    {
        source.CopyTo(target);
        return target.AsSpan(0, (int)source.Length);
    }

    private static void SetNonce(byte[] nonce, ulong counter) =>
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(NonceBytes - 8), counter);

    private static PskConnection Start(IConnection raw, byte[] sendKey, byte[] receiveKey,
        TransportEnvironment environment)
    {
        var connection = new PskConnection(raw, sendKey, receiveKey,
            environment.LoggerFactory.CreateLogger<PskConnection>(), environment.TimeProvider);
        connection.Start(environment.TaskScheduler);
        return connection;
    }

    private static AuthenticationRejectedException Mismatch(string remoteAddress) =>
        new($"The pre-shared key of {remoteAddress} differs from ours (PskOptions.Path); closing.");

    /// <param name="hello">The peer's first bytes (magic and version at least).</param>
    /// <param name="remoteAddress">For messages.</param>
    /// <param name="expectedVersion">This side's version, or null to check the magic and a known version only.</param>
    private static void CheckHello(ReadOnlySpan<byte> hello, string remoteAddress, byte? expectedVersion)
    {
        byte version = hello[HelloMagic.Length];
        if (!hello[..HelloMagic.Length].SequenceEqual(HelloMagic)
            || version is not (UnsignedVersion or SignedVersion))
        {
            throw new AuthenticationRejectedException($"{remoteAddress} did not start the pre-shared-key handshake " +
                "(is PskOptions.Path set on both ends?).");
        }
        if (expectedVersion is { } mine && version != mine)
        {
            throw new AuthenticationRejectedException($"{remoteAddress} " +
                $"{PskNodeSignature.Describe(version == SignedVersion)} and this side " +
                $"{PskNodeSignature.Describe(mine == SignedVersion)}; set PskOptions.SignWithNodeKey the same on both " +
                "ends.");
        }
    }

    private static async ValueTask WriteAsync(IConnection raw, byte[] bytes, CancellationToken cancellationToken)
    {
        await raw.Transport.Output.WriteAsync(bytes, cancellationToken);
    }

    /// <param name="raw">The inner connection.</param>
    /// <param name="count">Bytes to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="refusedByPeer">Whether an end of stream here means the peer refused this side (it closes
    /// instead of answering).</param>
    private static async ValueTask<byte[]> ReadExactlyAsync(IConnection raw, int count,
        CancellationToken cancellationToken, bool refusedByPeer = false)
    {
        PipeReader input = raw.Transport.Input;
        while (true)
        {
            ReadResult read = await input.ReadAsync(cancellationToken);
            if (read.Buffer.Length >= count)
            {
                byte[] bytes = read.Buffer.Slice(0, count).ToArray();
                input.AdvanceTo(read.Buffer.GetPosition(count));
                return bytes;
            }
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if ((read.IsCompleted || read.IsCanceled) && refusedByPeer)
            {
                throw new AuthenticationRejectedException($"{raw.RemoteAddress} refused this side's certificate or " +
                    "signature in the pre-shared-key handshake (its log says why: another CA, a key not in its " +
                    "locked-down known-keys list, or an expired certificate).");
            }
            if (read.IsCompleted || read.IsCanceled)
            {
                throw new AuthenticationRejectedException($"{raw.RemoteAddress} closed the connection during the " +
                    "pre-shared-key handshake, before the keys were compared (the other end may be busy or have " +
                    "timed the handshake out; check that both ends set PskOptions.Path).");
            }
        }
    }
}
