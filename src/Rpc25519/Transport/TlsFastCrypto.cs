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
/// <remarks>Thread-safe, as its base is: it is shared by all connections of a transport.</remarks>
internal sealed class TlsFastCrypto : BcTlsCrypto
{
    public TlsFastCrypto(bool useNativeAead = true) : base(new SecureRandom())
    {
        UsesNativeAead = useNativeAead && ChaCha20Poly1305.IsSupported;
    }

    /// <summary>Whether records are protected by .NET's native ChaCha20-Poly1305.</summary>
    public bool UsesNativeAead { get; }

    protected override TlsCipher CreateChaCha20Poly1305(TlsCryptoParameters cryptoParams) =>
        UsesNativeAead
            ? new TlsAeadCipher(cryptoParams, new TlsChaCha20Poly1305Cipher(encrypting: true),
                new TlsChaCha20Poly1305Cipher(encrypting: false), 32, 16, TlsAeadCipher.AEAD_CHACHA20_POLY1305)
            : base.CreateChaCha20Poly1305(cryptoParams);
}
