using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;
using Rpc25519.Transport.Quic;
using static Rpc25519.Quic.Tests.QuicTestHost;

namespace Rpc25519.Quic.Tests;

[Collection("Quic")]
public sealed class QuicRoundTripTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task Echo_RoundTrips_SmallAndLarge_OverQuic()
    {
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        Assert.StartsWith("udp://127.0.0.1:", server.LocalAddress, StringComparison.Ordinal);
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir)));
        byte[] big = new byte[3_000_000];
        Random.Shared.NextBytes(big);
        Assert.Equal("hello"u8.ToArray(), await TlsTestHost.EchoAsync(client, "hello"u8.ToArray()));
        Assert.Equal(big, await TlsTestHost.EchoAsync(client, big));
        Assert.StartsWith("udp://127.0.0.1:", client.RemoteAddress, StringComparison.Ordinal);
    }
}

[CollectionDefinition("Quic")]
public sealed class QuicCollection
{
}
