using System.Text;
using Org.BouncyCastle.Tls;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>The client side of one handshake: the same narrow TLS 1.3 profile as <see cref="TlsServerPeer"/>, SNI
/// <c>localhost</c>, and the server verified against our CA and the name <c>localhost</c>.</summary>
internal sealed class TlsClientPeer(TlsSettings settings, TlsFastCrypto crypto, string remoteAddress)
    : DefaultTlsClient(crypto)
{
    private static readonly int[] Suites = [CipherSuite.TLS_CHACHA20_POLY1305_SHA256];

    /// <summary>The verified server, once its certificate has been checked.</summary>
    public PeerIdentity? Server { get; private set; }

    /// <summary>Why we rejected the server, if we did.</summary>
    public string? RejectionReason { get; private set; }

    public override ProtocolVersion[] GetProtocolVersions() => ProtocolVersion.TLSv13.Only();

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.TLSv13.Only();

    public override int[] GetCipherSuites() => Suites;

    protected override int[] GetSupportedCipherSuites() => Suites;

    protected override IList<int> GetSupportedGroups(IList<int> namedGroupRoles) => [NamedGroup.x25519];

    protected override IList<SignatureAndHashAlgorithm> GetSupportedSignatureAlgorithms() =>
        [SignatureAndHashAlgorithm.ed25519];

    protected override IList<SignatureAndHashAlgorithm> GetSupportedSignatureAlgorithmsCert() =>
        [SignatureAndHashAlgorithm.ed25519];

    protected override IList<ServerName> GetSniServerNames() =>
        [new ServerName(NameType.host_name, Encoding.ASCII.GetBytes(CertificateMaker.HostName))];

    /// <summary>The handshake's context (security parameters, traffic secrets).</summary>
    public TlsContext Context => m_context;

    /// <summary>This handshake's crypto provider.</summary>
    public TlsFastCrypto FastCrypto => _crypto;

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    private sealed class Authentication(TlsClientPeer peer) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            try
            {
                peer.Server = peer._settings.VerifyPeer(serverCertificate.Certificate, peerIsClient: false,
                    peer._remoteAddress);
            }
            catch (TlsFatalAlert e)
            {
                peer.RejectionReason = e.Message;
                throw;
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            peer._settings.Signer(peer.m_context, peer._crypto);
    }

    private readonly TlsSettings _settings = settings;

    private readonly TlsFastCrypto _crypto = crypto;

    private readonly string _remoteAddress = remoteAddress;
}
