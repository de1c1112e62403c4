using System.Net;
using System.Net.Sockets;
using Rpc25519.Security;
using Rpc25519.Tests.Security;
using Rpc25519.Transport;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

/// <summary>Idle sockets cannot keep a good client out of a TLS or pre-shared-key server (issue 11, defect 4).</summary>
[Collection("Security")]
public sealed class SlowlorisTests(CertFixture certs) : IClassFixture<CertFixture>
{
    /// <summary>More idle sockets than there are handshake slots.</summary>
    private const int IdleSockets = HandshakingListener.MaxPendingHandshakes + 88;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_good_client_gets_in_while_more_idle_sockets_than_handshake_slots_are_open(bool overPsk)
    {
        RpcOptions options = Config(certs.CertsDir, tcp: overPsk);
        if (overPsk)
        {
            options.PreSharedKey.Path = Path.Combine(certs.NewDir("slowloris-psk"), "psk");
            SelfCertificates.GenerateSymmetricKey(options.PreSharedKey.Path);
        }
        await using RpcServer server = await StartEchoAsync(options);
        var endPoint = new IPEndPoint(IPAddress.Loopback, int.Parse(server.LocalAddress.Split(':')[^1]));
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < IdleSockets; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endPoint);
                idle.Add(socket);
            }

            RpcOptions client = ClientOf(server, options);
            client.ConnectTimeout = TimeSpan.FromSeconds(5);
            await using RpcClient good = await RpcClient.ConnectAsync(client);

            Assert.Equal([42], await EchoAsync(good, [42]));
        }
        finally
        {
            foreach (Socket socket in idle)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task An_http_request_on_a_pre_shared_key_port_is_refused_on_its_first_bytes()
    {
        RpcOptions options = Config(certs.CertsDir, tcp: true);
        options.PreSharedKey.Path = Path.Combine(certs.NewDir("http-psk"), "psk");
        SelfCertificates.GenerateSymmetricKey(options.PreSharedKey.Path);
        options.PreSharedKey.HandshakeTimeout = TimeSpan.FromMinutes(5);
        await using RpcServer server = await StartEchoAsync(options);
        using var http = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await http.ConnectAsync(new IPEndPoint(IPAddress.Loopback, int.Parse(server.LocalAddress.Split(':')[^1])));

        await http.SendAsync("GET / H"u8.ToArray());
        byte[] buffer = new byte[16];
        int read = await http.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Loopback.Patience);

        Assert.Equal(0, read);
    }
}
