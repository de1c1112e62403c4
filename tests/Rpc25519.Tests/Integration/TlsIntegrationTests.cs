using System.Net.Sockets;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

[Collection("Security")]
public sealed class TlsIntegrationTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task SkipVerifyKeys_WorksOnlyWhenBothEndsOptIn()
    {
        RpcOptions serverConfig = Config(certs.CertsDir);
        serverConfig.Tls.SkipVerifyKeys = true;
        RpcOptions otherClient = Config(certs.OtherCertsDir);
        otherClient.Tls.SkipVerifyKeys = true;
        await using (RpcServer server = await StartEchoAsync(serverConfig))
        {
            await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, otherClient));
            Assert.Equal([7], await EchoAsync(client, [7]));
            // Only the server skips: the client still verifies and rejects a server of another CA.
            await Assert.ThrowsAsync<AuthenticationRejectedException>(
                () => RpcClient.ConnectAsync(ClientOf(server, Config(certs.OtherCertsDir))));
        }
        // Only the client skips: the server still demands a certificate signed by its CA.
        await using RpcServer strict = await StartEchoAsync(Config(certs.CertsDir));
        await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(strict, otherClient)));
    }

    [Fact]
    public async Task GarbageAndStalledHandshakes_DoNotBlockOtherClients()
    {
        RpcOptions config = Config(certs.CertsDir);
        await using RpcServer server = await StartEchoAsync(config);
        var endPoint = System.Net.IPEndPoint.Parse(server.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal));
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stalled.ConnectAsync(endPoint);
        await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x00 }); // half a record header, then nothing
        using var garbage = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await garbage.ConnectAsync(endPoint);
        await garbage.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, config));
        Assert.Equal([1, 2, 3], await EchoAsync(client, [1, 2, 3]));
        byte[] buffer = new byte[64];
        int read = await garbage.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
        // The server closed at once (0 bytes) or answered with a TLS alert record (content type 21) first.
        Assert.True(read == 0 || buffer[0] == 21, $"the server sent {read} bytes starting with {buffer[0]}");
    }

    [Fact]
    public async Task StalledHandshake_IsDroppedAfterHandshakeTimeout()
    {
        RpcOptions config = Config(certs.CertsDir);
        config.Tls.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        await using RpcServer server = await StartEchoAsync(config);
        var endPoint = System.Net.IPEndPoint.Parse(server.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal));
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stalled.ConnectAsync(endPoint);
        int read = await stalled.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, read); // the server closed it
    }

    [Fact]
    public async Task ServerWithoutKeyPair_FailsWithClearError()
    {
        string empty = certs.NewDir("no-keys");
        var error = await Assert.ThrowsAsync<RpcException>(() => StartEchoAsync(Config(empty)));
        Assert.Contains("selfy -k node", error.Message, StringComparison.Ordinal);
    }
}
