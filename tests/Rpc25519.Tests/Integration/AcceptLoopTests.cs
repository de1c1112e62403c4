using System.Net;
using Rpc25519.Tests.Security;
using Rpc25519.Transport;

namespace Rpc25519.Tests.Integration;

/// <summary>An accept that fails (as under memory pressure) never ends an accept loop (issue 11, defect 3).</summary>
[Collection("Security")]
public sealed class AcceptLoopTests(CertFixture certs) : IClassFixture<CertFixture>
{
    /// <summary>Plain TCP whose listeners throw <see cref="OutOfMemoryException"/> from their first accepts.</summary>
    private sealed class FailingFirstAccepts(int failures) : ITransport
    {
        private readonly TcpTransport _tcp = new();

        public int Failed;

        public int Failures { get; } = failures;

        public async ValueTask<IConnectionListener> ListenAsync(string hostPort, CancellationToken cancellationToken = default) =>
            new Listener(await _tcp.ListenAsync(hostPort, cancellationToken), this);

        public ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default) =>
            _tcp.DialAsync(hostPort, cancellationToken);

        private sealed class Listener(IConnectionListener inner, FailingFirstAccepts owner) : IConnectionListener
        {
            public string LocalAddress => inner.LocalAddress;

            public EndPoint EndPoint => inner.EndPoint;

            public ValueTask<IConnection?> AcceptAsync(CancellationToken cancellationToken = default) =>
                Interlocked.Increment(ref owner.Failed) <= owner.Failures
                    ? throw new OutOfMemoryException("simulated: no memory for this accept")
                    : inner.AcceptAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_server_keeps_accepting_after_accepts_fail()
    {
        var flaky = new FailingFirstAccepts(failures: 3);
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, o => o.CustomTransport = flaky);
        await using var _ = server;

        await using RpcClient client = await Loopback.ConnectAsync(port);

        Assert.Equal("in", (await client.CallAsync(Loopback.Request("echo", "in")).WaitAsync(Loopback.Patience)).Text());
        Assert.True(flaky.Failed > 3);
    }

    [Fact]
    public async Task A_tls_listener_keeps_accepting_after_accepts_fail()
    {
        var flaky = new FailingFirstAccepts(failures: 3);
        RpcOptions options = TlsTestHost.Config(certs.CertsDir);
        options.CustomTransport = new TlsTransport(options.Tls, flaky);
        await using RpcServer server = await TlsTestHost.StartEchoAsync(options);

        await using RpcClient client = await RpcClient.ConnectAsync(TlsTestHost.ClientOf(server, TlsTestHost.Config(certs.CertsDir)));

        Assert.Equal([5], await TlsTestHost.EchoAsync(client, [5]));
        Assert.True(flaky.Failed > 3);
    }
}
