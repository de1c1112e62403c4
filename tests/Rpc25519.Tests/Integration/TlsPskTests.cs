using System.Net;
using System.Net.Sockets;
using Rpc25519.Security;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

[Collection("Security")]
public sealed class TlsPskTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SamePsk_RoundTrips(bool tcpOnly)
    {
        string psk = NewPsk();
        RpcOptions config = Config(certs.CertsDir, tcpOnly);
        config.PreSharedKey.Path = psk;
        await using RpcServer server = await StartEchoAsync(config);
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, config));
        byte[] big = new byte[200_000];
        Random.Shared.NextBytes(big);
        Assert.Equal(big, await EchoAsync(client, big));
        Assert.Equal([1], await EchoAsync(client, [1]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DifferentPsk_FailsCleanlyOnBothEnds(bool tcpOnly)
    {
        var log = new ListLoggerProvider();
        RpcOptions serverConfig = Config(certs.CertsDir, tcpOnly);
        serverConfig.PreSharedKey.Path = NewPsk();
        serverConfig.LoggerFactory = log.Factory();
        RpcOptions clientConfig = Config(certs.CertsDir, tcpOnly);
        clientConfig.PreSharedKey.Path = NewPsk();
        await using RpcServer server = await StartEchoAsync(serverConfig);
        var error = await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, clientConfig)));
        Assert.Contains("pre-shared key", error.Message, StringComparison.Ordinal);
        await log.WaitForAsync(m => m.Contains("pre-shared key", StringComparison.Ordinal));
        Assert.Empty(server.Connections);
    }

    [Fact]
    public async Task TamperedRecord_ClosesConnection()
    {
        RpcOptions config = Config(certs.CertsDir, tcp: true);
        config.PreSharedKey.Path = NewPsk();
        config.DefaultCallTimeout = TimeSpan.FromSeconds(5);
        await using RpcServer server = await StartEchoAsync(config);
        // Handshake: 37 (hello) + 32 (confirmation) bytes from the client; corrupt a byte of its first record.
        await using var proxy = new FlippingProxy(IPEndPoint.Parse(server.LocalAddress[6..]), flipAt: 69 + 10);
        RpcOptions clientConfig = config.Clone();
        clientConfig.ServerAddress = proxy.EndPoint.ToString();
        await using RpcClient client = await RpcClient.ConnectAsync(clientConfig);
        await Assert.ThrowsAnyAsync<RpcException>(() => EchoAsync(client, new byte[100]));
        await client.Disconnected.WaitHandleAsync(TimeSpan.FromSeconds(10));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_tampered_record_length_closes_the_connection_promptly_instead_of_waiting_for_bytes()
    {
        RpcOptions config = Config(certs.CertsDir, tcp: true);
        config.PreSharedKey.Path = NewPsk();
        config.DefaultCallTimeout = TimeSpan.FromMinutes(2);
        await using RpcServer server = await StartEchoAsync(config);
        // The client's first record starts at 69 (37 hello + 32 confirmation); byte 71 is the length's second-lowest
        // byte: flipping 0x20 there makes a small record claim 8 KiB more than is coming.
        await using var proxy = new FlippingProxy(IPEndPoint.Parse(server.LocalAddress[6..]), flipAt: 69 + 2);
        RpcOptions clientConfig = config.Clone();
        clientConfig.ServerAddress = proxy.EndPoint.ToString();
        await using RpcClient client = await RpcClient.ConnectAsync(clientConfig);

        Task<byte[]> call = EchoAsync(client, new byte[100]);

        await Assert.ThrowsAnyAsync<RpcException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        await client.Disconnected.WaitHandleAsync(TimeSpan.FromSeconds(5));
        Assert.False(client.IsConnected);
    }

    [Fact]
    public void ShortPskFile_IsRejected()
    {
        string path = Path.Combine(certs.NewDir("short"), "psk");
        File.WriteAllBytes(path, new byte[16]);
        RpcOptions config = Config(certs.CertsDir);
        config.PreSharedKey.Path = path;
        var error = Assert.Throws<RpcException>(() => new Rpc25519.Transport.PskTransport(config.PreSharedKey,
            new Rpc25519.Transport.TcpTransport()));
        Assert.Contains("at least 32", error.Message, StringComparison.Ordinal);
    }

    private string NewPsk()
    {
        string path = Path.Combine(certs.NewDir("psk"), "psk.binary");
        SelfCertificates.GenerateSymmetricKey(path);
        return path;
    }
}
