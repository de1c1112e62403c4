using System.Net;
using Rpc25519.Messages;
using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;
using static Rpc25519.Quic.Tests.QuicTestHost;

namespace Rpc25519.Quic.Tests;

/// <summary>What sits above the transport works unchanged over QUIC, also when the network loses and reorders
/// packets.</summary>
[Collection("Quic")]
public sealed class QuicBehaviourTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ServerPush_ReachesTheClient()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        Assert.Equal([1], await TlsTestHost.EchoAsync(client, [1]));
        var push = new Message { Payload = "for you"u8.ToArray() };
        push.Header.ServiceName = "news";
        await server.PushAsync(server.Connections.Single(), push);
        Message got = await client.Incoming.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal("for you"u8.ToArray(), got.Payload);
    }

    [Fact]
    public async Task CallsAndBulkData_SurviveALossyReorderingPath()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        var target = IPEndPoint.Parse(server.LocalAddress["udp://".Length..]);
        await using var relay = new LossyUdpRelay(target, dropEvery: 17, swapEvery: 7);
        RpcOptions clientConfig = Config(certs.CertsDir);
        clientConfig.ServerAddress = "udp://" + relay.EndPoint;
        await using RpcClient client = await RpcClient.ConnectAsync(clientConfig);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal([(byte)i], await TlsTestHost.EchoAsync(client, [(byte)i]));
        }
        byte[] bulk = new byte[300_000];
        new Random(7).NextBytes(bulk);
        Assert.Equal(bulk, await TlsTestHost.EchoAsync(client, bulk));
        Assert.True(relay.Dropped > 10, $"the relay dropped only {relay.Dropped} datagrams");
        Assert.True(relay.Swapped > 10, $"the relay reordered only {relay.Swapped} datagrams");
    }
}
