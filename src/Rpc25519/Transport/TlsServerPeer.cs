using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Tls;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>The server side of one handshake: TLS 1.3 only, TLS_CHACHA20_POLY1305_SHA256 only, X25519 key exchange,
/// Ed25519 signatures only, and a client certificate required unless verification is skipped.</summary>
internal sealed class TlsServerPeer(TlsSettings settings, TlsFastCrypto crypto, string remoteAddress)
    : DefaultTlsServer(crypto)
{
    private static readonly int[] Suites = [CipherSuite.TLS_CHACHA20_POLY1305_SHA256];

    /// <summary>The verified client, once its certificate has been checked; null with SkipVerifyKeys.</summary>
    public PeerIdentity? Client { get; private set; }

    /// <summary>Why we rejected the client, if we did.</summary>
    public string? RejectionReason { get; private set; }

    public override ProtocolVersion[] GetProtocolVersions() => ProtocolVersion.TLSv13.Only();

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv13.Only();

    public override int[] GetCipherSuites() => Suites;

    protected override int[] GetSupportedCipherSuites() => Suites;

    public override int[] GetSupportedGroups() => [NamedGroup.x25519];

    /// <summary>The handshake's context (security parameters, traffic secrets).</summary>
    public TlsContext Context => m_context;

    /// <summary>This handshake's crypto provider.</summary>
    public TlsFastCrypto FastCrypto => crypto;

    public override TlsCredentials GetCredentials() => settings.Signer(m_context, crypto);

    public override CertificateRequest? GetCertificateRequest()
    {
        if (settings.SkipVerify)
        {
            return null;
        }
        var algorithms = new List<SignatureAndHashAlgorithm> { SignatureAndHashAlgorithm.ed25519 };
        var authorities = new List<X509Name> { settings.Ca!.SubjectDN };
        return new CertificateRequest([], algorithms, algorithms, authorities);
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        try
        {
            Client = settings.VerifyPeer(clientCertificate, peerIsClient: true, remoteAddress);
        }
        catch (TlsFatalAlert e)
        {
            RejectionReason = e.Message;
            throw;
        }
    }
}
