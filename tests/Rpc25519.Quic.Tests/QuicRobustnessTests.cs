using System.Net;
using System.Net.Sockets;
using Rpc25519.Tests.Integration;
using Rpc25519.Tests.Security;
using Rpc25519.Transport.Quic;
using Rpc25519.Transport.Quic.Native;
using static Rpc25519.Quic.Tests.QuicTestHost;

namespace Rpc25519.Quic.Tests;

/// <summary>Bad input, configuration errors, port sharing and shutdown.</summary>
[Collection("Quic")]
public sealed class QuicRobustnessTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Fact]
    public async Task ServerAndClientsOfOneOptions_ShareOneUdpPort_AndShutdownFreesIt()
    {
        RpcOptions config = Config(certs.CertsDir);
        RpcServer server = await TlsTestHost.StartEchoAsync(config);
        string address = server.LocalAddress;
        RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, config));
        Assert.Equal([3], await TlsTestHost.EchoAsync(client, [3]));
        Assert.Equal(address, client.LocalAddress);
        await client.DisposeAsync();
        await server.DisposeAsync();
        // The socket closes: the port can be bound again (UDP sockets here do not set SO_REUSEADDR). The shared socket
        // closes when the last connection on it has finished closing, which may be just after DisposeAsync returns
        // (the server's side of the client's connection closes as the client's close arrives), so this waits for it.
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var endPoint = IPEndPoint.Parse(address["udp://".Length..]);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                again.Bind(endPoint);
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse &&
                waited.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(10);
            }
        }
    }

    [Fact]
    public async Task TwoClientsOfASharedPort_ToOneServer_GetTwoAddresses_AndPushesReachEach()
    {
        RpcOptions config = Config(certs.CertsDir);
        await using RpcServer home = await TlsTestHost.StartEchoAsync(config); // owns the shared port
        await using RpcServer other = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir));
        RpcClient first = await RpcClient.ConnectAsync(ClientOf(other, config));
        await using RpcClient second = await RpcClient.ConnectAsync(ClientOf(other, config));
        Assert.Equal(home.LocalAddress, first.LocalAddress);
        Assert.NotEqual(first.LocalAddress, second.LocalAddress);
        Assert.Equal([1], await TlsTestHost.EchoAsync(first, [1]));
        Assert.Equal([2], await TlsTestHost.EchoAsync(second, [2]));
        Assert.Equal(new[] { first.LocalAddress, second.LocalAddress }.Order(), other.Connections.Order());
        foreach (RpcClient client in new[] { second, first })
        {
            var push = new Rpc25519.Messages.Message { Payload = System.Text.Encoding.UTF8.GetBytes(client.LocalAddress) };
            push.Header.ServiceName = "news";
            await other.PushAsync(client.LocalAddress, push);
            Rpc25519.Messages.Message got = await client.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(client.LocalAddress, System.Text.Encoding.UTF8.GetString(got.Payload));
        }
        // Once the first is gone, the shared port is free for a client to that server again.
        await first.DisposeAsync();
        await using RpcClient third = await RpcClient.ConnectAsync(ClientOf(other, config));
        Assert.Equal(home.LocalAddress, third.LocalAddress);
    }

    [Fact]
    public async Task NoSharePort_GivesTheClientItsOwnPort_AndShutdownClosesBothSockets()
    {
        RpcOptions config = Config(certs.CertsDir, new QuicOptions { NoSharePort = true });
        RpcServer server = await TlsTestHost.StartEchoAsync(config);
        RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, config));
        Assert.NotEqual(server.LocalAddress, client.LocalAddress);
        Assert.Equal([4], await TlsTestHost.EchoAsync(client, [4]));
        int[] ports = [PortOf(server.LocalAddress), PortOf(client.LocalAddress)];
        Assert.All(ports, port => Assert.Contains(port, OpenUdpPorts()));
        await client.DisposeAsync();
        await server.DisposeAsync();
        // Closing is synchronous with disposal: no UDP socket of either side is left in the kernel's table.
        int[] open = OpenUdpPorts();
        Assert.All(ports, port => Assert.DoesNotContain(port, open));
    }

    private static int PortOf(string address) => IPEndPoint.Parse(address["udp://".Length..]).Port;

    /// <summary>Local ports of the UDP sockets open in this network namespace, from /proc/net/udp.</summary>
    private static int[] OpenUdpPorts() => File.ReadAllLines("/proc/net/udp").Skip(1)
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
        .Select(local => int.Parse(local[(local.IndexOf(':') + 1)..], System.Globalization.NumberStyles.HexNumber,
            System.Globalization.CultureInfo.InvariantCulture))
        .ToArray();

    [Fact]
    public async Task DialToAPortWithNoServer_EndsWithinConnectTimeout()
    {
        using var placeholder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        placeholder.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound but never answering
        RpcOptions config = Config(certs.CertsDir);
        config.ServerAddress = "udp://" + placeholder.LocalEndPoint;
        config.ConnectTimeout = TimeSpan.FromSeconds(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<RpcTimeoutException>(() => RpcClient.ConnectAsync(config));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the dial took {watch.Elapsed}");
    }

    [Fact]
    public async Task IdleButHealthyConnection_OutlivesTheIdleTimeout()
    {
        // The original's QUIC connections died after 30 s without traffic; ours send PINGs while idle.
        // 1.5 s leaves room for scheduling stalls of a loaded 2-core machine between PINGs (every 375 ms).
        var quic = new QuicOptions { IdleTimeout = TimeSpan.FromMilliseconds(1500) };
        await using RpcServer server = await TlsTestHost.StartEchoAsync(Config(certs.CertsDir, quic));
        await using RpcClient client = await RpcClient.ConnectAsync(ClientOf(server, Config(certs.CertsDir, quic)));
        Assert.Equal([1], await TlsTestHost.EchoAsync(client, [1]));
        await Task.Delay(TimeSpan.FromSeconds(4)); // over two idle timeouts with no calls: the point of the test
        Assert.Equal([2], await TlsTestHost.EchoAsync(client, [2]));
    }

    [Fact]
    public void QuicWithPlainTcp_IsAClearError()
    {
        RpcOptions options = TlsTestHost.Config(certs.CertsDir, tcp: true);
        var error = Assert.Throws<ArgumentException>(() => options.UseQuic());
        Assert.Contains("Tcp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotAQuicAddress_IsAClearError()
    {
        var transport = (QuicTransport)Config(certs.CertsDir).CustomTransport!;
        var error = await Assert.ThrowsAsync<RpcTransportException>(
            async () => await transport.DialAsync("tcp://127.0.0.1:1"));
        Assert.Contains("udp://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingLibrary_NamesTheDebianPackages()
    {
        var error = Assert.Throws<QuicLibraryMissingException>(() => QuicLibrary.Load(
            ["libngtcp2-not-here.so.9"], QuicLibrary.CryptoNames, QuicLibrary.GnuTlsNames));
        Assert.Contains("apt-get install libngtcp2-9 libngtcp2-crypto-gnutls2", error.Message, StringComparison.Ordinal);
        Assert.Contains("libngtcp2-not-here.so.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InstalledLibrary_IsThe012Series()
    {
        var transport = (QuicTransport)Config(certs.CertsDir).CustomTransport!;
        Assert.StartsWith("0.12.", transport.NativeVersion, StringComparison.Ordinal);
    }

    [Fact]
    public unsafe void NativeStructs_HaveTheSizesOfThe012Headers()
    {
        // Numbers printed by native/layout.c (gcc, x86-64) from the installed ngtcp2 0.12.1 headers.
        Assert.Equal(32, sizeof(NgCid));
        Assert.Equal(16, sizeof(NgVec));
        Assert.Equal(8, sizeof(NgPacketInfo));
        Assert.Equal(40, sizeof(NgPath));
        Assert.Equal(320, sizeof(NgCallbacks));
        Assert.Equal(184, sizeof(NgSettings));
        Assert.Equal(344, sizeof(NgTransportParams));
        Assert.Equal(112, sizeof(NgPacketHeader));
        Assert.Equal(40, sizeof(NgConnectionCloseError));
        Assert.Equal(40, sizeof(NgVersionCid));
        Assert.Equal(136, (int)System.Runtime.InteropServices.Marshal.OffsetOf<NgSettings>(
            nameof(NgSettings.HandshakeTimeout)));
        Assert.Equal(240, (int)System.Runtime.InteropServices.Marshal.OffsetOf<NgTransportParams>(
            nameof(NgTransportParams.MaxIdleTimeout)));
        Assert.Equal(336, (int)System.Runtime.InteropServices.Marshal.OffsetOf<NgTransportParams>(
            nameof(NgTransportParams.VersionInfoPresent)));
    }
}
