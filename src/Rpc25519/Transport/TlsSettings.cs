using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using Org.BouncyCastle.X509;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>Everything one side needs for its TLS handshakes: its identity, our CA and the verification rules,
/// loaded once from an <see cref="RpcConfig"/>.</summary>
/// <remarks>Immutable after construction and shared by all connections of a transport.</remarks>
internal sealed class TlsSettings
{
    private TlsSettings(RpcConfig config, bool nativeAead, Ed25519PrivateKeyParameters key,
        X509Certificate certificate, X509Certificate? ca, string knownKeysPath)
    {
        NativeAead = nativeAead;
        PrivateKey = key;
        OwnCertificate = certificate;
        Ca = ca;
        SkipVerify = config.SkipVerifyKeys;
        KnownKeysPath = knownKeysPath;
        TimeProvider = config.TimeProvider;
        Scheduler = config.TaskScheduler;
        Logger = config.LoggerFactory.CreateLogger("Rpc25519.Transport.Tls");
        HandshakeTimeout = config.HandshakeTimeout;
        TlsCertificate = new Certificate([], [new CertificateEntry(
            new BcTlsCertificate(new TlsFastCrypto(nativeAead), certificate.GetEncoded()), null)]);
    }

    /// <summary>Whether records use .NET's native ChaCha20-Poly1305 (and, after the handshake, our own record
    /// layer); false keeps BouncyCastle's managed cipher and record layer (for comparison).</summary>
    public bool NativeAead { get; }

    /// <summary>A crypto provider for one connection's handshake.</summary>
    public TlsFastCrypto NewCrypto() => new(NativeAead);

    public Ed25519PrivateKeyParameters PrivateKey { get; }

    public X509Certificate OwnCertificate { get; }

    /// <summary>Our own certificate as TLS 1.3 sends it.</summary>
    public Certificate TlsCertificate { get; }

    /// <summary>The CA peers must be signed by; null only with <see cref="SkipVerify"/>.</summary>
    public X509Certificate? Ca { get; }

    public bool SkipVerify { get; }

    /// <summary>The known-keys file of this side ("" for none).</summary>
    public string KnownKeysPath { get; }

    public TimeProvider TimeProvider { get; }

    public TaskScheduler Scheduler { get; }

    public ILogger Logger { get; }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Loads the key pair of one side from <see cref="RpcConfig.CertPath"/>.</summary>
    /// <exception cref="RpcException">A file is missing, unreadable, not Ed25519, or its pass-phrase is
    /// wrong.</exception>
    public static TlsSettings Load(RpcConfig config, bool server, bool nativeAead)
    {
        string directory = string.IsNullOrWhiteSpace(config.CertPath) ? SecurityPaths.DefaultCertsDirectory
            : config.CertPath;
        string name = server ? config.ServerKeyPairName : config.ClientKeyPairName;
        string certPath = Path.Combine(directory, name + ".crt");
        string keyPath = Path.Combine(directory, name + ".key");
        string caPath = Path.Combine(directory, SelfCertificates.CaCertificateFileName);
        if (!File.Exists(certPath) || !File.Exists(keyPath))
        {
            throw new RpcException($"TLS needs the key pair '{name}' ({certPath} and {keyPath}); make one with " +
                $"'selfy -k {name}', point RpcConfig.CertPath at its directory, or set TcpOnlyNoTls.");
        }
        X509Certificate certificate = CertificateChecker.ReadPem(certPath)[0];
        Ed25519PrivateKeyParameters key = PrivateKeyFile.Read(keyPath,
            Passphrase.ForLoading(config.PassphraseProvider));
        byte[]? certKey = CertificateChecker.Ed25519Key(certificate);
        if (certKey is null || !certKey.AsSpan().SequenceEqual(key.GeneratePublicKey().GetEncoded()))
        {
            throw new RpcException($"'{keyPath}' is not the private key of '{certPath}' (or the certificate is not " +
                "Ed25519).");
        }
        X509Certificate? ca = null;
        if (!config.SkipVerifyKeys || File.Exists(caPath))
        {
            if (!File.Exists(caPath))
            {
                throw new RpcException($"TLS needs our CA certificate '{caPath}' to verify peers.");
            }
            ca = CertificateChecker.ReadPem(caPath)[0];
        }
        string knownKeys = config.SkipVerifyKeys ? "" : server ? config.KnownClientKeysPath
            : config.KnownServerKeysPath;
        return new TlsSettings(config, nativeAead, key, certificate, config.SkipVerifyKeys ? null : ca, knownKeys);
    }

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
            if (chain is null || chain.IsEmpty)
            {
                throw new PeerRejectedException(AlertDescription.certificate_required, "the peer sent no certificate");
            }
            var leaf = new X509Certificate(chain.GetCertificateAt(0).GetEncoded());
            PeerIdentity identity = CertificateChecker.Check(leaf, Ca, TimeProvider.GetUtcNow(), peerIsClient);
            if (!SkipVerify && KnownKeys.Open(KnownKeysPath) is { } known
                && known.Admit(identity, HostOf(remoteAddress), TimeProvider.GetUtcNow()))
            {
                SecurityLog.KnownKeyRecorded(Logger, identity.KnownKeysString, remoteAddress, known.Path);
            }
            return identity;
        }
        catch (PeerRejectedException e)
        {
            throw new TlsFatalAlert(e.AlertDescription, e.Message, e);
        }
        catch (RpcException e)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error,
                $"the known-keys file '{KnownKeysPath}' cannot be read or written: {e.Message}", e);
        }
    }

    /// <summary>The host part of <c>tcp://host:port</c> (known-keys files record hosts without ports).</summary>
    public static string HostOf(string address)
    {
        try
        {
            return HostPort.Split(address).Host;
        }
        catch (RpcTransportException)
        {
            return address;
        }
    }
}
