using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Rpc25519.Diagnostics;
using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Diagnostics;

/// <summary><c>rpc25519.handshakes</c> counts handshakes on both sides by outcome and, for failures, by
/// <c>error.type</c>. It runs with the tests that nothing runs beside, because other tests make handshakes too and
/// the counter carries no per-server tag.</summary>
[Collection(GlobalListenersCollection.Name)]
public sealed class HandshakeMetricsTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task Handshakes_are_counted_as_ok_rejected_or_timed_out()
    {
        var seen = new ConcurrentQueue<Measurement>();
        using MeterListener listener = MeterCapture.Listen(seen, RpcDiagnostics.MeterName);
        await using RpcServer server = await StartEchoAsync(Config(certs.CertsDir));
        // A second server that gives up quickly on a stalled handshake (a real one under load may need longer).
        RpcOptions impatient = Config(certs.CertsDir);
        impatient.Tls.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        await using RpcServer quick = await StartEchoAsync(impatient);

        await using (RpcClient good = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir))))
        {
            Assert.Equal([1], await EchoAsync(good, [1]));
        }
        RpcOptions stranger = Config(certs.OtherCertsDir);
        stranger.Tls.SkipVerifyKeys = true; // it accepts our server, but our server refuses its certificate
        await Assert.ThrowsAsync<AuthenticationRejectedException>(
            () => RpcClient.ConnectAsync(ClientOf(server, stranger)));
        var endPoint = System.Net.IPEndPoint.Parse(quick.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal));
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stalled.ConnectAsync(endPoint);
        await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x00 }); // half a record header, then nothing
        Assert.Equal(0, await stalled.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(10)));

        await Peers.PeerHarness.Eventually(() => Count("server", "failed", "timeout") == 1,
            "the stalled handshake's timeout");
        Assert.Equal(1, Count("server", "ok", null));
        Assert.Equal(1, Count("server", "failed", "rejected"));
        Assert.Equal(1, Count("client", "ok", null));
        Assert.Equal(1, Count("client", "failed", "rejected")); // the stranger learns it was refused
        Assert.All(seen.Where(m => m.Instrument == "rpc25519.handshakes"),
            m => Assert.Equal("TLS", m.Tag("rpc25519.layer")));

        double Count(string side, string outcome, string? errorType) => seen
            .Where(m => m.Instrument == "rpc25519.handshakes" && m.Tag("rpc25519.side") == side
                && m.Tag("rpc25519.outcome") == outcome && m.Tag("error.type") == errorType)
            .Sum(m => m.Value);
    }
}
