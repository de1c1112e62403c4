using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rpc25519.Transport.Quic.Native;

namespace Rpc25519.Transport.Quic;

/// <summary>
/// Packet protection on .NET's ChaCha20-Poly1305 (OpenSSL, about ten times GnuTLS's speed here) for the keys the
/// handshake negotiates. ngtcp2's encrypt and decrypt callbacks get only an opaque GnuTLS context, so our GnuTLS secret
/// function — which derives and installs the keys exactly as ngtcp2's helper does — also keeps each new key as a
/// candidate, and the first packet protected with an unknown context (done by GnuTLS) tells which candidate it holds.
/// From then on that context's packets use .NET's cipher. Keys after a key update are learned the same way (our update
/// callback wraps ngtcp2's helper and derives the new keys from the new secrets). Initial packets' AES-128-GCM and
/// header protection stay with ngtcp2's GnuTLS helper.
/// </summary>
/// <remarks>All of this runs inside native calls made under <see cref="_gate"/>; <see cref="_current"/> names the
/// connection whose native call is running on this thread (the encrypt and decrypt callbacks carry no user
/// data).</remarks>
internal sealed unsafe partial class QuicConnection
{
    private const int ChaChaKeyBytes = 32;
    private const int TagBytes = 16;
    private const int NonceBytes = 12;
    private const int ErrorDecrypt = -220;

    [ThreadStatic]
    private static QuicConnection? _current;

    /// <summary>Ciphers by the GnuTLS context handle they stand in for.</summary>
    private readonly Dictionary<nint, ChaCha20Poly1305> _ciphers = [];
    /// <summary>Keys learned from the handshake whose context has not been seen yet.</summary>
    private readonly List<ChaCha20Poly1305> _pendingSend = [];
    private readonly List<ChaCha20Poly1305> _pendingReceive = [];

    /// <summary>How many GnuTLS contexts run on .NET's cipher (for tests).</summary>
    internal int FastCipherCount
    {
        get
        {
            lock (_gate)
            {
                return _ciphers.Count;
            }
        }
    }

    /// <summary>GnuTLS contexts that went over to .NET's cipher so far, deleted ones included (for tests).</summary>
    internal int AdoptedCipherTotal
    {
        get
        {
            lock (_gate)
            {
                return _adoptedTotal;
            }
        }
    }

    private int _adoptedTotal;

    /// <summary>Starts a key update (RFC 9001 §6), for tests: ours never start one otherwise.</summary>
    /// <exception cref="RpcTransportException">ngtcp2 refused (e.g. the handshake is not confirmed yet).</exception>
    internal void InitiateKeyUpdate()
    {
        Post post;
        lock (_gate)
        {
            EnterNativeLocked();
            int result = Ngtcp2.InitiateKeyUpdate(_connection, Now());
            if (result != 0)
            {
                throw new RpcTransportException($"ngtcp2 refused a key update: {Ngtcp2.ErrorText(result)}.");
            }
            AfterEventLocked();
            post = TakePostLocked();
        }
        RunPost(post);
    }

    /// <summary>ngtcp2's key-update callback: its GnuTLS helper derives and installs the next keys, then we derive the
    /// same AEAD keys from the new secrets (TLS 1.3's HKDF-Expand-Label "quic key", RFC 9001 §5.1) as candidates for
    /// .NET's cipher.</summary>
    [UnmanagedCallersOnly]
    private static int OnUpdateKey(nint conn, byte* receiveSecret, byte* sendSecret, nint* receiveContext,
        byte* receiveIv, nint* sendContext, byte* sendIv, byte* currentReceiveSecret, byte* currentSendSecret,
        nuint secretLength, nint userData)
    {
        int result = ((delegate* unmanaged<nint, byte*, byte*, nint*, byte*, nint*, byte*, byte*, byte*, nuint, nint,
            int>)Crypto.UpdateKey)(conn, receiveSecret, sendSecret, receiveContext, receiveIv, sendContext, sendIv,
            currentReceiveSecret, currentSendSecret, secretLength, userData);
        if (result != 0)
        {
            return result;
        }
        QuicConnection connection = From(userData);
        try
        {
            if (connection._session != 0 && GnuTls.GetCipher(connection._session) == GnuTls.CipherChaCha20Poly1305
                && secretLength == 32)
            {
                connection._pendingReceive.Add(QuicKeyCipher(new ReadOnlySpan<byte>(receiveSecret, 32)));
                connection._pendingSend.Add(QuicKeyCipher(new ReadOnlySpan<byte>(sendSecret, 32)));
            }
            return 0;
        }
        catch (Exception e)
        {
            connection._callbackError ??= e;
            return Ngtcp2.ErrorCallbackFailure;
        }
    }

    /// <summary>.NET's ChaCha20-Poly1305 with the packet key of <paramref name="secret"/>: HKDF-Expand-Label(secret,
    /// "quic key", "", 32) over SHA-256.</summary>
    private static ChaCha20Poly1305 QuicKeyCipher(ReadOnlySpan<byte> secret)
    {
        ReadOnlySpan<byte> label = "tls13 quic key"u8;
        Span<byte> info = stackalloc byte[2 + 1 + 14 + 1];
        info[0] = 0;
        info[1] = ChaChaKeyBytes;
        info[2] = (byte)label.Length;
        label.CopyTo(info[3..]);
        info[^1] = 0; // empty context
        Span<byte> key = stackalloc byte[ChaChaKeyBytes];
        try
        {
            HKDF.Expand(HashAlgorithmName.SHA256, secret, key, info);
            return new ChaCha20Poly1305(key);
        }
        finally
        {
            key.Clear();
        }
    }

    /// <summary>Marks this connection as the one whose native calls run on this thread.</summary>
    private void EnterNativeLocked() => _current = this;

    [UnmanagedCallersOnly]
    internal static int OnSecretCallback(nint session, int gnutlsLevel, byte* receiveSecret, byte* sendSecret,
        nuint secretLength)
    {
        var reference = (NgConnRef*)GnuTls.GetPointer(session);
        if (reference is null)
        {
            return -1;
        }
        QuicConnection connection = From(reference->Connection);
        int level = Ngtcp2Crypto.FromGnuTlsLevel(gnutlsLevel);
        bool chacha = GnuTls.GetCipher(session) == GnuTls.CipherChaCha20Poly1305;
        byte* key = stackalloc byte[64];
        byte* iv = stackalloc byte[64];
        byte* hp = stackalloc byte[64];
        try
        {
            if (receiveSecret is not null)
            {
                if (Ngtcp2Crypto.DeriveAndInstallRxKey(reference->UserData, key, iv, hp, level, receiveSecret,
                        secretLength) != 0)
                {
                    return -1;
                }
                if (chacha)
                {
                    connection._pendingReceive.Add(new ChaCha20Poly1305(new ReadOnlySpan<byte>(key, ChaChaKeyBytes)));
                }
            }
            if (sendSecret is not null)
            {
                if (Ngtcp2Crypto.DeriveAndInstallTxKey(reference->UserData, key, iv, hp, level, sendSecret,
                        secretLength) != 0)
                {
                    return -1;
                }
                if (chacha)
                {
                    connection._pendingSend.Add(new ChaCha20Poly1305(new ReadOnlySpan<byte>(key, ChaChaKeyBytes)));
                }
            }
            return 0;
        }
        catch (Exception e)
        {
            connection._callbackError ??= e;
            return -1;
        }
        finally
        {
            new Span<byte>(key, 64).Clear();
            new Span<byte>(iv, 64).Clear();
            new Span<byte>(hp, 64).Clear();
        }
    }

    [UnmanagedCallersOnly]
    private static int OnEncrypt(byte* destination, nint* aead, nint* context, byte* plaintext, nuint length,
        byte* nonce, nuint nonceLength, byte* associated, nuint associatedLength)
    {
        QuicConnection? connection = _current;
        try
        {
            int size = (int)length;
            if (connection is not null && nonceLength == NonceBytes
                && connection._ciphers.TryGetValue(*context, out ChaCha20Poly1305? cipher))
            {
                cipher.Encrypt(new ReadOnlySpan<byte>(nonce, NonceBytes), new ReadOnlySpan<byte>(plaintext, size),
                    new Span<byte>(destination, size), new Span<byte>(destination + size, TagBytes),
                    new ReadOnlySpan<byte>(associated, (int)associatedLength));
                return 0;
            }
            var fallback = (delegate* unmanaged<byte*, nint*, nint*, byte*, nuint, byte*, nuint, byte*, nuint, int>)
                Crypto.Encrypt;
            if (connection is null || connection._pendingSend.Count == 0 || *aead != GnuTls.CipherChaCha20Poly1305
                || nonceLength != NonceBytes)
            {
                return fallback(destination, aead, context, plaintext, length, nonce, nonceLength, associated,
                    associatedLength);
            }
            // ngtcp2 encrypts in place: keep the plaintext to compare the candidates' tags with GnuTLS's.
            byte[] kept = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                new ReadOnlySpan<byte>(plaintext, size).CopyTo(kept);
                int result = fallback(destination, aead, context, plaintext, length, nonce, nonceLength, associated,
                    associatedLength);
                if (result == 0)
                {
                    fixed (byte* original = kept)
                    {
                        connection.Adopt(connection._pendingSend, *context, nonce, original, size, associated,
                            (int)associatedLength, destination + size);
                    }
                }
                return result;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(kept);
            }
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                connection._callbackError ??= e;
            }
            return Ngtcp2.ErrorCallbackFailure;
        }
    }

    [UnmanagedCallersOnly]
    private static int OnDecrypt(byte* destination, nint* aead, nint* context, byte* ciphertext, nuint length,
        byte* nonce, nuint nonceLength, byte* associated, nuint associatedLength)
    {
        QuicConnection? connection = _current;
        int size = (int)length - TagBytes;
        if (size < 0)
        {
            return ErrorDecrypt;
        }
        try
        {
            if (connection is not null && nonceLength == NonceBytes
                && connection._ciphers.TryGetValue(*context, out ChaCha20Poly1305? cipher))
            {
                cipher.Decrypt(new ReadOnlySpan<byte>(nonce, NonceBytes), new ReadOnlySpan<byte>(ciphertext, size),
                    new ReadOnlySpan<byte>(ciphertext + size, TagBytes), new Span<byte>(destination, size),
                    new ReadOnlySpan<byte>(associated, (int)associatedLength));
                return 0;
            }
            var fallback = (delegate* unmanaged<byte*, nint*, nint*, byte*, nuint, byte*, nuint, byte*, nuint, int>)
                Crypto.Decrypt;
            int result = fallback(destination, aead, context, ciphertext, length, nonce, nonceLength, associated,
                associatedLength);
            if (result == 0 && connection is not null && connection._pendingReceive.Count > 0
                && *aead == GnuTls.CipherChaCha20Poly1305 && nonceLength == NonceBytes)
            {
                // The tag sits after the plaintext's length, which decryption does not overwrite.
                connection.Adopt(connection._pendingReceive, *context, nonce, destination, size, associated,
                    (int)associatedLength, ciphertext + size);
            }
            return result;
        }
        catch (CryptographicException)
        {
            return ErrorDecrypt; // a forged or damaged packet: ngtcp2 drops it
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                connection._callbackError ??= e;
            }
            return Ngtcp2.ErrorCallbackFailure;
        }
    }

    /// <summary>Finds the candidate key whose tag over this packet equals the tag GnuTLS produced (or checked) with
    /// <paramref name="context"/>, and uses it for that context from now on.</summary>
    private void Adopt(List<ChaCha20Poly1305> candidates, nint context, byte* nonce, byte* plaintext, int size,
        byte* associated, int associatedLength, byte* expectedTag)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(size);
        Span<byte> tag = stackalloc byte[TagBytes];
        try
        {
            for (int i = 0; i < candidates.Count; i++)
            {
                candidates[i].Encrypt(new ReadOnlySpan<byte>(nonce, NonceBytes), new ReadOnlySpan<byte>(plaintext, size),
                    scratch.AsSpan(0, size), tag, new ReadOnlySpan<byte>(associated, associatedLength));
                if (tag.SequenceEqual(new ReadOnlySpan<byte>(expectedTag, TagBytes)))
                {
                    _ciphers[context] = candidates[i];
                    candidates.RemoveAt(i);
                    _adoptedTotal++;
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnDeleteAeadContext(nint conn, nint* context, nint userData)
    {
        QuicConnection connection = From(userData);
        if (connection._ciphers.Remove(*context, out ChaCha20Poly1305? cipher))
        {
            cipher.Dispose();
        }
        ((delegate* unmanaged<nint, nint*, nint, void>)Crypto.DeleteAeadContext)(conn, context, userData);
    }

    /// <summary>Disposes every cipher (the connection is being freed).</summary>
    private void DisposeCiphersLocked()
    {
        foreach (ChaCha20Poly1305 cipher in _ciphers.Values)
        {
            cipher.Dispose();
        }
        foreach (ChaCha20Poly1305 cipher in _pendingSend.Concat(_pendingReceive))
        {
            cipher.Dispose();
        }
        _ciphers.Clear();
        _pendingSend.Clear();
        _pendingReceive.Clear();
    }

    private static QuicLibrary.CryptoCallbacks Crypto => QuicLibrary.Ensure().Callbacks;
}
