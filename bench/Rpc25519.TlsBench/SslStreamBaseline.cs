using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Rpc25519.TlsBench;

/// <summary>The baseline: SslStream (OpenSSL) with ECDSA P-256 certificates from one CA, TLS 1.3 and
/// TLS_CHACHA20_POLY1305_SHA256 only, client certificate required and both ends verifying the chain.</summary>
internal sealed class SslStreamBaseline : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _server;
    private readonly X509Certificate2 _client;
    private readonly CipherSuitesPolicy _suites = new([TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256]);

    public SslStreamBaseline()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=bench-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _server = Leaf(caKey, "CN=localhost");
        _client = Leaf(caKey, "CN=localhost");
    }

    public void Dispose()
    {
        _ca.Dispose();
        _server.Dispose();
        _client.Dispose();
    }

    public async Task<SslStream> AcceptAsync(Socket socket) 
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), false);
        await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = _server,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            CipherSuitesPolicy = _suites,
            RemoteCertificateValidationCallback = (_, cert, _, _) => Validate(cert),
        });
        return stream;
    }

    public async Task<SslStream> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), false);
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [_client],
            EnabledSslProtocols = SslProtocols.Tls13,
            CipherSuitesPolicy = _suites,
            RemoteCertificateValidationCallback = (_, cert, _, _) => Validate(cert),
        });
        CheckNegotiated(stream);
        return stream;
    }

    /// <summary>Makes sure the comparison is the one claimed: TLS 1.3 with ChaCha20-Poly1305.</summary>
    /// <exception cref="InvalidOperationException">SslStream negotiated something else.</exception>
    private static void CheckNegotiated(SslStream stream)
    {
        if (stream.SslProtocol != SslProtocols.Tls13
            || stream.NegotiatedCipherSuite != TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256)
        {
            throw new InvalidOperationException($"SslStream negotiated {stream.SslProtocol} " +
                $"{stream.NegotiatedCipherSuite}, not TLS 1.3 with TLS_CHACHA20_POLY1305_SHA256.");
        }
    }

    private bool Validate(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert2 = new X509Certificate2(certificate);
        return chain.Build(cert2);
    }

    private static X509Certificate2 Leaf(ECDsa caKey, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var generator = X509SignatureGenerator.CreateForECDsa(caKey);
        using X509Certificate2 issued = request.Create(new X500DistinguishedName("CN=bench-ca"), generator,
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }
}
