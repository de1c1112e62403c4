using System.Net;
using System.Net.Sockets;
using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;
using Rpc25519.Transport;
using Rpc25519.Transport.Quic;
using static Rpc25519.Quic.Tests.QuicTestHost;

namespace Rpc25519.Quic.Tests;

/// <summary>Address validation with Retry packets: a client completes its handshake through a Retry (always, or when
/// an Initial flood fills half the half-open slots), and a forged or expired token is refused without server
/// state.</summary>
[Collection("Quic")]
public sealed class QuicRetryTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AlwaysValidate_TheClientCompletesTheHandshakeThroughARetry()
    {
        RpcOptions config = Config(certs.CertsDir, new QuicOptions { AddressValidation = QuicAddressValidation.Always });
        await using RpcServer server = await TlsTestHost.StartEchoAsync(config);
        var relay = new Counter();
        var target = IPEndPoint.Parse(server.LocalAddress["udp://".Length..]);
        await using var path = new LossyUdpRelay(target, int.MaxValue, int.MaxValue, relay.Count);
        RpcOptions clientConfig = Config(certs.CertsDir);
        clientConfig.ServerAddress = "udp://" + path.EndPoint;
        await using RpcClient client = await RpcClient.ConnectAsync(clientConfig);
        Assert.Equal([1], await TlsTestHost.EchoAsync(client, [1]));
        byte[] bulk = new byte[500_000];
        new Random(3).NextBytes(bulk);
        Assert.Equal(bulk, await TlsTestHost.EchoAsync(client, bulk));
        Assert.True(relay.InitialsWithToken >= 1, "the client never came back with a Retry token");
    }

    [Fact]
    public async Task WhenBusy_AnInitialFloodFillsHalfTheSlots_AndARealClientGetsInThroughARetry()
    {
        TlsOptions tls = Config(certs.CertsDir).Tls;
        var serverTransport = new QuicTransport(new QuicOptions
        {
            MaxHalfOpenConnections = 4,
            HandshakeTimeout = TimeSpan.FromSeconds(6),
        }, tls);
        await using var listener = (QuicConnectionListener)await serverTransport.ListenAsync("127.0.0.1:0");
        var relay = new OneWayUdpRelay((IPEndPoint)listener.EndPoint);
        await using var _ = relay;
        var clientTransport = new QuicTransport(new QuicOptions { NoSharePort = true }, tls);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        Task flood = relay.FloodAsync(clientTransport, 8, giveUp.Token);
        await WaitForAsync(() => listener.Endpoint.RetriesSent > 0, "the server to start sending Retry packets");
        Assert.Equal(2, listener.Endpoint.HalfOpenCount);
        await using IConnection good = await clientTransport.DialAsync(listener.LocalAddress).AsTask().WaitAsync(Prompt);
        await using IConnection? accepted = await listener.AcceptAsync().AsTask().WaitAsync(Prompt);
        Assert.NotNull(accepted);
        Assert.True(listener.Endpoint.HalfOpenCount >= 2, "the flood's handshakes ended before the real client came");
        await flood.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AForgedToken_IsRefusedAtOnce_WithoutServerState()
    {
        var forge = new Counter { Tamper = true };
        await AssertTokenRefusedAsync(new QuicOptions { AddressValidation = QuicAddressValidation.Always }, forge.Count);
        Assert.True(forge.InitialsWithToken >= 1);
    }

    [Fact]
    public async Task AnExpiredToken_IsRefused()
    {
        var late = new Counter { Delay = TimeSpan.FromMilliseconds(600) };
        await AssertTokenRefusedAsync(new QuicOptions
        {
            AddressValidation = QuicAddressValidation.Always,
            RetryTokenLifetime = TimeSpan.FromMilliseconds(150),
        }, late.Count);
        Assert.True(late.InitialsWithToken >= 1);
    }

    [Fact]
    public void RetryTokenLifetime_MustBePositive()
    {
        var error = Assert.Throws<ArgumentException>(() => new QuicTransport(
            new QuicOptions { RetryTokenLifetime = TimeSpan.Zero }, Config(certs.CertsDir).Tls));
        Assert.Contains("RetryTokenLifetime", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new QuicTransport(
            new QuicOptions { AddressValidation = (QuicAddressValidation)7 }, Config(certs.CertsDir).Tls));
        Assert.Contains("AddressValidation", error.Message, StringComparison.Ordinal);
    }

    private async Task AssertTokenRefusedAsync(QuicOptions serverOptions, Func<byte[], Task<byte[]?>> hook)
    {
        TlsOptions tls = Config(certs.CertsDir).Tls;
        var serverTransport = new QuicTransport(serverOptions, tls);
        await using var listener = (QuicConnectionListener)await serverTransport.ListenAsync("127.0.0.1:0");
        await using var path = new LossyUdpRelay((IPEndPoint)listener.EndPoint, int.MaxValue, int.MaxValue, hook);
        var clientTransport = new QuicTransport(new QuicOptions { NoSharePort = true }, tls);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcConnectionClosedException>(
            async () => await clientTransport.DialAsync("udp://" + path.EndPoint).AsTask().WaitAsync(Prompt));
        Assert.Contains("Retry", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"the refusal took {watch.Elapsed}");
        Assert.True(listener.Endpoint.TokensRefused >= 1);
        Assert.Equal(0, listener.Endpoint.HalfOpenCount);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for " + what);
            await Task.Delay(10);
        }
    }

    /// <summary>Watches client datagrams for Initial packets that carry a token; can alter the token's last byte or
    /// hold such packets back.</summary>
    private sealed class Counter
    {
        private int _initialsWithToken;

        public bool Tamper { get; init; }

        public TimeSpan Delay { get; init; }

        public int InitialsWithToken => Volatile.Read(ref _initialsWithToken);

        public async Task<byte[]?> Count(byte[] datagram)
        {
            int tokenEnd = TokenEnd(datagram);
            if (tokenEnd <= 0)
            {
                return datagram;
            }
            Interlocked.Increment(ref _initialsWithToken);
            if (Tamper)
            {
                datagram[tokenEnd - 1] ^= 0x01;
            }
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay);
            }
            return datagram;
        }

        /// <summary>Where the token of a QUIC v1 Initial ends, or 0 when this is no Initial or has no token.</summary>
        private static int TokenEnd(byte[] d)
        {
            if (d.Length < 7 || (d[0] & 0xf0) != 0xc0 || d[1] != 0 || d[2] != 0 || d[3] != 0 || d[4] != 1)
            {
                return 0;
            }
            int at = 5;
            at += 1 + d[at]; // destination ID
            at += 1 + d[at]; // source ID
            int lengthBytes = 1 << (d[at] >> 6);
            long length = d[at] & 0x3f;
            for (int i = 1; i < lengthBytes; i++)
            {
                length = (length << 8) | d[at + i];
            }
            return length == 0 ? 0 : at + lengthBytes + (int)length;
        }
    }
}
