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
    private const byte Version = 1;

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
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ.</exception>
    public static async ValueTask<IConnection> ConnectAsync(IConnection raw, byte[] psk, TransportEnvironment environment,
        CancellationToken cancellationToken)
    {
        var (ephemeral, clientPublic) = PskKeys.NewEphemeral();
        await WriteAsync(raw, [.. HelloMagic, Version, .. clientPublic], cancellationToken);
        byte[] reply = await ReadExactlyAsync(raw, HelloMagic.Length + 1 + 2 * PskKeys.Bytes, cancellationToken);
        CheckHello(reply, raw.RemoteAddress);
        byte[] serverPublic = reply[(HelloMagic.Length + 1)..(HelloMagic.Length + 1 + PskKeys.Bytes)];
        PskKeys.SessionKeys keys = PskKeys.Derive(psk, ephemeral, serverPublic, clientPublic, serverPublic);
        await WriteAsync(raw, keys.ClientConfirm, cancellationToken);
        ReadOnlySpan<byte> serverConfirm = reply.AsSpan(HelloMagic.Length + 1 + PskKeys.Bytes);
        if (!CryptographicOperations.FixedTimeEquals(keys.ServerConfirm, serverConfirm))
        {
            throw Mismatch(raw.RemoteAddress);
        }
        return Start(raw, keys.ClientToServer, keys.ServerToClient, environment);
    }

    /// <summary>Server side of the handshake.</summary>
    /// <exception cref="AuthenticationRejectedException">The pre-shared keys differ.</exception>
    public static async ValueTask<IConnection> AcceptAsync(IConnection raw, byte[] psk, TransportEnvironment environment,
        CancellationToken cancellationToken)
    {
        // The magic first: a client speaking anything else (an HTTP request, TLS) is refused on its first bytes
        // instead of holding a handshake slot until the rest of a hello arrives.
        byte[] greeting = await ReadExactlyAsync(raw, HelloMagic.Length + 1, cancellationToken);
        CheckHello(greeting, raw.RemoteAddress);
        byte[] clientPublic = await ReadExactlyAsync(raw, PskKeys.Bytes, cancellationToken);
        var (ephemeral, serverPublic) = PskKeys.NewEphemeral();
        PskKeys.SessionKeys keys = PskKeys.Derive(psk, ephemeral, clientPublic, clientPublic, serverPublic);
        await WriteAsync(raw, [.. HelloMagic, Version, .. serverPublic, .. keys.ServerConfirm], cancellationToken);
        byte[] confirm = await ReadExactlyAsync(raw, PskKeys.Bytes, cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(keys.ClientConfirm, confirm))
        {
            throw Mismatch(raw.RemoteAddress);
        }
        return Start(raw, keys.ServerToClient, keys.ClientToServer, environment);
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

    private static void CheckHello(ReadOnlySpan<byte> hello, string remoteAddress)
    {
        if (!hello[..HelloMagic.Length].SequenceEqual(HelloMagic) || hello[HelloMagic.Length] != Version)
        {
            throw new AuthenticationRejectedException($"{remoteAddress} did not start the pre-shared-key handshake " +
                "(is PreSharedKeyPath set on both ends?).");
        }
    }

    private static async ValueTask WriteAsync(IConnection raw, byte[] bytes, CancellationToken cancellationToken)
    {
        await raw.Transport.Output.WriteAsync(bytes, cancellationToken);
    }

    private static async ValueTask<byte[]> ReadExactlyAsync(IConnection raw, int count,
        CancellationToken cancellationToken)
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
            if (read.IsCompleted || read.IsCanceled)
            {
                throw new AuthenticationRejectedException($"{raw.RemoteAddress} closed the connection during the " +
                    "pre-shared-key handshake, before the keys were compared (the other end may be busy or have " +
                    "timed the handshake out; check that both ends set PskOptions.Path).");
            }
        }
    }
}
