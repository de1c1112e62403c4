using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;

namespace Rpc25519.Transport;

/// <summary>
/// The TLS 1.3 record protection of application data (RFC 8446 §5.2–5.4) for TLS_CHACHA20_POLY1305_SHA256, done
/// directly with ChaCha20-Poly1305 (see remarks) once BouncyCastle has finished the handshake. The traffic
/// keys and IVs are derived from BouncyCastle's traffic secrets (HKDF-Expand-Label "key"/"iv"), the sequence numbers
/// continue from the records BouncyCastle already protected, and the derived keys are checked against the keys
/// BouncyCastle used. Records are sealed from and opened into pipe memory without further copies.
/// </summary>
/// <remarks>
/// <para>Two implementations of the same AEAD share the work, chosen per record by its size: a record of up to
/// <see cref="SmallRecordBytes"/> (the records of small calls) goes through libsodium (via NSec), which costs about
/// half of what .NET's <see cref="System.Security.Cryptography.ChaCha20Poly1305"/> does for it (on Linux that one sets
/// up an OpenSSL 3 EVP context per record); a larger record goes through .NET's, whose vectorised code is 2–3× faster
/// per byte. A small call seals and opens one record on each side, all on its critical path, so this is most of what
/// TLS adds to a small call's CPU time. The output is the same either way; tests check both against each other.</para>
/// <para>The sealing half is used by the connection's <see cref="TlsRecordWriter"/> only and the opening half by its
/// <see cref="TlsRecordReader"/> only, so the two run at the same time.</para>
/// </remarks>
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

    /// <summary>Records whose inner plaintext (content type included) is at most this long are sealed and opened by
    /// libsodium, larger ones by .NET (measured crossover about 1.1 KiB).</summary>
    internal const int SmallRecordBytes = 1024;

    private static readonly AeadAlgorithm SmallAead = AeadAlgorithm.ChaCha20Poly1305;

    private readonly System.Security.Cryptography.ChaCha20Poly1305 _sealer;
    private readonly System.Security.Cryptography.ChaCha20Poly1305 _opener;
    private readonly Key _smallSealer;
    private readonly Key _smallOpener;
    private readonly byte[] _sealIv;
    private readonly byte[] _openIv;
    private readonly byte[] _sealNonce = new byte[NonceBytes];
    private readonly byte[] _openNonce = new byte[NonceBytes];
    private ulong _sealSequence;
    private ulong _openSequence;

    internal TlsRecordLayer(byte[] sealKey, byte[] sealIv, ulong sealSequence, byte[] openKey, byte[] openIv,
        ulong openSequence)
    {
        _sealer = new System.Security.Cryptography.ChaCha20Poly1305(sealKey);
        _opener = new System.Security.Cryptography.ChaCha20Poly1305(openKey);
        _smallSealer = Key.Import(SmallAead, sealKey, KeyBlobFormat.RawSymmetricKey);
        _smallOpener = Key.Import(SmallAead, openKey, KeyBlobFormat.RawSymmetricKey);
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
        SealInner(record, innerLength);
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
        if (innerLength <= SmallRecordBytes)
        {
            if (!SmallAead.Decrypt(_smallOpener, _openNonce, record[..HeaderBytes], record[HeaderBytes..],
                plain[..innerLength]))
            {
                throw new TlsFatalAlert(AlertDescription.bad_record_mac, "record authentication failed");
            }
        }
        else
        {
            try
            {
                _opener.Decrypt(_openNonce, record.Slice(HeaderBytes, innerLength), record[^TagBytes..],
                    plain[..innerLength], record[..HeaderBytes]);
            }
            catch (AuthenticationTagMismatchException e)
            {
                throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
            }
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
        _smallSealer.Dispose();
        _smallOpener.Dispose();
    }

    private int Seal(ReadOnlySpan<byte> plain, byte type, Span<byte> output)
    {
        int innerLength = plain.Length + 1;
        int length = HeaderBytes + innerLength + TagBytes;
        WriteHeader(output, innerLength);
        Span<byte> inner = output.Slice(HeaderBytes, innerLength);
        plain.CopyTo(inner);
        inner[^1] = type;
        SealInner(output, innerLength);
        return length;
    }

    /// <summary>Encrypts, in place, the inner plaintext at <paramref name="record"/>[<see cref="HeaderBytes"/>..]
    /// (<paramref name="innerLength"/> bytes, header already written) and writes the tag after it.</summary>
    private void SealInner(Span<byte> record, int innerLength)
    {
        SetNonce(_sealNonce, _sealIv, _sealSequence++);
        if (innerLength <= SmallRecordBytes)
        {
            // The ciphertext starts where the plaintext does (in place), the tag follows it.
            SmallAead.Encrypt(_smallSealer, _sealNonce, record[..HeaderBytes], record.Slice(HeaderBytes, innerLength),
                record.Slice(HeaderBytes, innerLength + TagBytes));
        }
        else
        {
            Span<byte> inner = record.Slice(HeaderBytes, innerLength);
            _sealer.Encrypt(_sealNonce, inner, inner, record.Slice(HeaderBytes + innerLength, TagBytes),
                record[..HeaderBytes]);
        }
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
