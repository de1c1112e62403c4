using System.Security.Cryptography;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Rpc25519.Transport;

/// <summary>BouncyCastle's TLS crypto with the record cipher for ChaCha20-Poly1305 swapped for .NET's native one
/// (see <see cref="TlsChaCha20Poly1305Cipher"/>); everything else (handshake, signatures, key schedule) is
/// BouncyCastle's.</summary>
/// <remarks>One instance serves one connection's handshake, so that it can hand the record ciphers it made to
/// <see cref="TlsRecordLayer"/>; the random source is shared and thread-safe.</remarks>
internal sealed class TlsFastCrypto : BcTlsCrypto
{
    private static readonly SecureRandom SharedRandom = new();

    public TlsFastCrypto(bool useNativeAead = true) : base(SharedRandom)
    {
        UsesNativeAead = useNativeAead && ChaCha20Poly1305.IsSupported;
    }

    /// <summary>The sealing half of the last record cipher made (null before the handshake keys exist).</summary>
    public TlsChaCha20Poly1305Cipher? Encrypter { get; private set; }

    /// <summary>The opening half of the last record cipher made.</summary>
    public TlsChaCha20Poly1305Cipher? Decrypter { get; private set; }

    /// <summary>Whether records are protected by .NET's native ChaCha20-Poly1305.</summary>
    public bool UsesNativeAead { get; }

    protected override TlsCipher CreateChaCha20Poly1305(TlsCryptoParameters cryptoParams)
    {
        if (!UsesNativeAead)
        {
            return base.CreateChaCha20Poly1305(cryptoParams);
        }
        Encrypter = new TlsChaCha20Poly1305Cipher(encrypting: true);
        Decrypter = new TlsChaCha20Poly1305Cipher(encrypting: false);
        return new TlsAeadCipher(cryptoParams, Encrypter, Decrypter, 32, 16, TlsAeadCipher.AEAD_CHACHA20_POLY1305);
    }
}
