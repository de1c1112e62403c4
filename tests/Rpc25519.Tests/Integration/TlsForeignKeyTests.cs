using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

/// <summary>A TLS 1.3 server with an ECDSA P-256 certificate (SslStream) is refused by our client.</summary>
[Collection("Security")]
public sealed class TlsForeignKeyTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task EcdsaServer_IsRejected_WithAuthenticationError()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1),
            DateTimeOffset.UtcNow.AddDays(1));
        using X509Certificate2 serverCert = X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Task serve = Task.Run(async () =>
        {
            using Socket socket = await listener.AcceptAsync();
            await using var ssl = new SslStream(new NetworkStream(socket), false);
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = serverCert,
                    EnabledSslProtocols = SslProtocols.Tls13,
                });
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // Expected: our client offers only Ed25519, or rejects the ECDSA certificate.
            }
        });
        RpcOptions config = Config(certs.CertsDir);
        config.ServerAddress = listener.LocalEndPoint!.ToString()!;
        await Assert.ThrowsAsync<AuthenticationRejectedException>(() => RpcClient.ConnectAsync(config));
        await serve.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
