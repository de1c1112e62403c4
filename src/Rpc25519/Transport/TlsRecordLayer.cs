using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace Rpc25519.Transport;

/// <summary>
/// The TLS 1.3 record protection of application data (RFC 8446 §5.2–5.4) for TLS_CHACHA20_POLY1305_SHA256, done
/// directly with .NET's <see cref="ChaCha20Poly1305"/> once BouncyCastle has finished the handshake. The traffic
/// keys and IVs are derived from BouncyCastle's traffic secrets (HKDF-Expand-Label "key"/"iv"), the sequence numbers
/// continue from the records BouncyCastle already protected, and the derived keys are checked against the keys
/// BouncyCastle used. Records are sealed from and opened into pipe memory without further copies.
/// </summary>
/// <remarks>The sealing half is used by the connection's <see cref="TlsRecordWriter"/> only and the opening half by its
/// <see cref="TlsRecordReader"/> only, so the two run at the same time.</remarks>
internal sealed class TlsRecordLayer : IDisposable
{
    /// <summary>Largest plaintext of one record.</summary>
    public const int MaxPlaintextBytes = 16 * 1024;

    /// <summary>Record header: type, legacy version (2), length (2).</summary>
    public const int HeaderBytes = 5;

    /// <summary>Bytes a sealed record adds to its plaintext: header, inner content type, tag.</summary>
    public const int OverheadBytes = HeaderBytes + 1 + TagBytes;

    /// <summary>Largest whole record a peer may send, header included.</summary>
    public const int MaxRecordBytes = HeaderBytes + MaxCiphertextBytes;

    private const int TagBytes = 16;
    private const int NonceBytes = 12;
    private const int MaxCiphertextBytes = MaxPlaintextBytes + 256;
    private const byte ApplicationData = 23;
    private const byte Alert = 21;
    private const byte Handshake = 22;
    private const byte NewSessionTicket = 4;

    private readonly ChaCha20Poly1305 _sealer;
    private readonly ChaCha20Poly1305 _opener;
    private readonly byte[] _sealIv;
    private readonly byte[] _openIv;
    private readonly byte[] _sealNonce = new byte[NonceBytes];
    private readonly byte[] _openNonce = new byte[NonceBytes];
    private ulong _sealSequence;
    private ulong _openSequence;

    internal TlsRecordLayer(byte[] sealKey, byte[] sealIv, ulong sealSequence, byte[] openKey, byte[] openIv,
        ulong openSequence)
    {
        _sealer = new ChaCha20Poly1305(sealKey);
        _opener = new ChaCha20Poly1305(openKey);
        _sealIv = sealIv;
        _openIv = openIv;
        _sealSequence = sealSequence;
        _openSequence = openSequence;
    }

    /// <summary>Whether the peer has sent close_notify.</summary>
    public bool PeerClosed { get; private set; }

    /// <summary>Takes over record protection from a finished handshake; null when that is not possible (the
    /// record ciphers were not ours), in which case BouncyCastle keeps protecting the records.</summary>
    /// <exception cref="TlsFatalAlert">The derived keys differ from the ones BouncyCastle used (a bug).</exception>
    public static TlsRecordLayer? TakeOver(TlsContext context, TlsFastCrypto crypto)
    {
        if (crypto.Encrypter is not { } encrypter || crypto.Decrypter is not { } decrypter)
        {
            return null;
        }
        SecurityParameters parameters = context.SecurityParameters;
        int hash = parameters.PrfCryptoHashAlgorithm;
        TlsSecret sealSecret = context.IsServer ? parameters.TrafficSecretServer : parameters.TrafficSecretClient;
        TlsSecret openSecret = context.IsServer ? parameters.TrafficSecretClient : parameters.TrafficSecretServer;
        byte[] sealKey = Expand(sealSecret, hash, "key", 32);
        byte[] openKey = Expand(openSecret, hash, "key", 32);
        if (!sealKey.AsSpan().SequenceEqual(encrypter.CurrentKey)
            || !openKey.AsSpan().SequenceEqual(decrypter.CurrentKey))
        {
            throw new TlsFatalAlert(AlertDescription.internal_error,
                "derived traffic keys differ from the handshake's");
        }
        var layer = new TlsRecordLayer(sealKey, Expand(sealSecret, hash, "iv", NonceBytes),
            (ulong)encrypter.RecordsSinceKey, openKey, Expand(openSecret, hash, "iv", NonceBytes),
            (ulong)decrypter.RecordsSinceKey);
        CryptographicOperations.ZeroMemory(sealKey);
        CryptographicOperations.ZeroMemory(openKey);
        return layer;
    }

    /// <summary>Seals <paramref name="plain"/> (at most <see cref="MaxPlaintextBytes"/>) as one application-data
    /// record into <paramref name="output"/>, which holds at least plaintext + <see cref="OverheadBytes"/>.</summary>
    /// <returns>The record's length.</returns>
    public int Seal(ReadOnlySpan<byte> plain, Span<byte> output) => Seal(plain, ApplicationData, output);

    /// <summary>Bytes a sealed record adds after its plaintext: inner content type and tag.</summary>
    public const int TrailerBytes = 1 + TagBytes;

    /// <summary>Seals, in place, the application data already written at
    /// <paramref name="record"/>[<see cref="HeaderBytes"/>..] (<paramref name="plainLength"/> bytes, at most
    /// <see cref="MaxPlaintextBytes"/>): writes the header in front, the content type and the tag after, and
    /// encrypts where the plaintext lies. <paramref name="record"/> holds at least plaintext +
    /// <see cref="OverheadBytes"/>.</summary>
    /// <returns>The record's length.</returns>
    public int SealInPlace(Span<byte> record, int plainLength)
    {
        int innerLength = plainLength + 1;
        WriteHeader(record, innerLength);
        Span<byte> inner = record.Slice(HeaderBytes, innerLength);
        inner[^1] = ApplicationData;
        SetNonce(_sealNonce, _sealIv, _sealSequence++);
        _sealer.Encrypt(_sealNonce, inner, inner, record.Slice(HeaderBytes + innerLength, TagBytes),
            record[..HeaderBytes]);
        return HeaderBytes + innerLength + TagBytes;
    }

    /// <summary>Seals a close_notify alert; returns the record's length.</summary>
    public int SealCloseNotify(Span<byte> output) => Seal([1, 0], Alert, output);

    /// <summary>Opens one record (header included). Application data goes to the front of
    /// <paramref name="plain"/> (at least the record's length); returns its length, 0 for records that carry
    /// none.</summary>
    /// <exception cref="TlsFatalAlert">Forged, out of order, oversized, a fatal alert, or an unsupported
    /// message.</exception>
    public int Open(ReadOnlySpan<byte> record, Span<byte> plain)
    {
        if (record[0] != ApplicationData)
        {
            throw new TlsFatalAlert(AlertDescription.unexpected_message,
                $"record type {record[0]} after the handshake");
        }
        int sealedLength = record.Length - HeaderBytes;
        int innerLength = sealedLength - TagBytes;
        if (innerLength < 1)
        {
            throw new TlsFatalAlert(AlertDescription.decode_error, "record too short");
        }
        SetNonce(_openNonce, _openIv, _openSequence++);
        try
        {
            _opener.Decrypt(_openNonce, record.Slice(HeaderBytes, innerLength), record[^TagBytes..],
                plain[..innerLength], record[..HeaderBytes]);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
        }
        int end = innerLength - 1;
        while (end >= 0 && plain[end] == 0)
        {
            end--;
        }
        byte type = end >= 0 ? plain[end] : (byte)0;
        switch (type)
        {
            case ApplicationData:
                return end;
            case Alert when end == 2 && plain[1] == AlertDescription.close_notify:
                PeerClosed = true;
                return 0;
            case Alert when end == 2:
                throw new TlsFatalAlertReceived(plain[1]);
            case Handshake when end > 0 && plain[0] == NewSessionTicket:
                return 0; // no resumption is configured; a ticket is simply dropped
            default:
                throw new TlsFatalAlert(AlertDescription.unexpected_message,
                    $"unsupported post-handshake content type {type}");
        }
    }

    /// <summary>The total length of the record at the front of <paramref name="header"/> (5 bytes).</summary>
    /// <exception cref="TlsFatalAlert">The announced length is too large.</exception>
    public static int RecordLength(ReadOnlySpan<byte> header)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
        return length <= MaxCiphertextBytes
            ? HeaderBytes + length
            : throw new TlsFatalAlert(AlertDescription.record_overflow, $"record of {length} bytes");
    }

    public void Dispose()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    private int Seal(ReadOnlySpan<byte> plain, byte type, Span<byte> output)
    {
        int innerLength = plain.Length + 1;
        int length = HeaderBytes + innerLength + TagBytes;
        WriteHeader(output, innerLength);
        Span<byte> inner = output.Slice(HeaderBytes, innerLength);
        plain.CopyTo(inner);
        inner[^1] = type;
        SetNonce(_sealNonce, _sealIv, _sealSequence++);
        _sealer.Encrypt(_sealNonce, inner, inner, output.Slice(HeaderBytes + innerLength, TagBytes),
            output[..HeaderBytes]);
        return length;
    }

    /// <summary>Writes the header of an application-data record whose inner plaintext (content type included) is
    /// <paramref name="innerLength"/> bytes.</summary>
    private static void WriteHeader(Span<byte> output, int innerLength)
    {
        output[0] = ApplicationData;
        output[1] = 3;
        output[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(output[3..], (ushort)(innerLength + TagBytes));
    }

    private static void SetNonce(byte[] nonce, byte[] iv, ulong sequence)
    {
        iv.CopyTo(nonce, 0);
        ulong tail = BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(NonceBytes - 8)) ^ sequence;
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(NonceBytes - 8), tail);
    }

    private static byte[] Expand(TlsSecret secret, int hash, string label, int length) =>
        TlsCryptoUtilities.HkdfExpandLabel(secret, hash, label, Array.Empty<byte>(), length).Extract();
}
