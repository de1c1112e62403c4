using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.X509;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>Everything one side of a transport needs for its TLS handshakes: its loaded <see cref="TlsIdentity"/>, the
/// record cipher choice and the transport's environment.</summary>
/// <remarks>Immutable after construction and shared by all connections of a transport.</remarks>
internal sealed class TlsSettings
{
    private readonly TlsIdentity _identity;

    public TlsSettings(TlsIdentity identity, bool nativeAead, TransportEnvironment environment)
    {
        _identity = identity;
        NativeAead = nativeAead;
        TimeProvider = environment.TimeProvider;
        Scheduler = environment.TaskScheduler;
        Logger = environment.LoggerFactory.CreateLogger("Rpc25519.Transport.Tls");
        TlsCertificate = new Certificate([], [new CertificateEntry(
            new BcTlsCertificate(new TlsFastCrypto(nativeAead), identity.Certificate.GetEncoded()), null)]);
    }

    /// <summary>Whether records use .NET's native ChaCha20-Poly1305 (and, after the handshake, our own record
    /// layer); false keeps BouncyCastle's managed cipher and record layer (for comparison).</summary>
    public bool NativeAead { get; }

    /// <summary>A crypto provider for one connection's handshake.</summary>
    public TlsFastCrypto NewCrypto() => new(NativeAead);

    /// <summary>The loaded identity and verification rules.</summary>
    public TlsIdentity Identity => _identity;

    public Ed25519PrivateKeyParameters PrivateKey => _identity.PrivateKey;

    public X509Certificate OwnCertificate => _identity.Certificate;

    /// <summary>Our own certificate as TLS 1.3 sends it.</summary>
    public Certificate TlsCertificate { get; }

    /// <summary>The CA peers must be signed by; null only with <see cref="SkipVerify"/>.</summary>
    public X509Certificate? Ca => _identity.Ca;

    public bool SkipVerify => _identity.SkipVerify;

    /// <summary>The known-keys file of this side ("" for none).</summary>
    public string KnownKeysPath => _identity.KnownKeysPath;

    public TimeProvider TimeProvider { get; }

    public TaskScheduler Scheduler { get; }

    public ILogger Logger { get; }

    public TimeSpan HandshakeTimeout => _identity.HandshakeTimeout;

    /// <summary>The signer that proves we own <see cref="OwnCertificate"/> in a handshake.</summary>
    public TlsCredentialedSigner Signer(TlsContext context, TlsFastCrypto crypto) =>
        new BcDefaultTlsCredentialedSigner(new Org.BouncyCastle.Tls.Crypto.TlsCryptoParameters(context), crypto,
            PrivateKey, TlsCertificate, SignatureAndHashAlgorithm.ed25519);

    /// <summary>Checks the peer's certificate chain and the known-keys list.</summary>
    /// <exception cref="TlsFatalAlert">The peer is rejected; the alert tells it why.</exception>
    public PeerIdentity VerifyPeer(Certificate? chain, bool peerIsClient, string remoteAddress)
    {
        try
        {
            byte[]? leaf = chain is null || chain.IsEmpty ? null : chain.GetCertificateAt(0).GetEncoded();
            return _identity.VerifyPeer(leaf, peerIsClient, remoteAddress, TimeProvider, Logger);
        }
        catch (CertificateRejectedException e)
        {
            throw new TlsFatalAlert(e.AlertDescription, e.Message, e);
        }
    }

    /// <summary>The host part of <c>tcp://host:port</c> (known-keys files record hosts without ports).</summary>
    public static string HostOf(string address) => TlsIdentity.HostOf(address);
}
