using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Helpers to run an echo server and a client on loopback with given configs.</summary>
internal static class TlsTestHost
{
    public static RpcOptions Config(string certs, bool tcp = false) => new()
    {
        ListenAddress = "127.0.0.1:0",
        Transport = tcp ? TransportKind.Tcp : TransportKind.Tls,
        Tls =
        {
            CertPath = certs,
            KnownClientKeysPath = "",
            KnownServerKeysPath = "",
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        },
        ConnectTimeout = TimeSpan.FromSeconds(10),
        DefaultCallTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<RpcServer> StartEchoAsync(RpcOptions config)
    {
        var server = new RpcServer(config);
        server.RegisterCall("echo", (request, _) =>
        {
            var reply = new Message();
            reply.Payload = request.Payload;
            return ValueTask.FromResult(reply);
        });
        await server.StartAsync();
        return server;
    }

    public static RpcOptions ClientOf(RpcServer server, RpcOptions config)
    {
        RpcOptions copy = config.Clone();
        copy.ServerAddress = server.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal);
        return copy;
    }

    public static async Task<byte[]> EchoAsync(RpcClient client, byte[] payload)
    {
        var request = new Message { Payload = payload };
        request.Header.ServiceName = "echo";
        Message reply = await client.CallAsync(request);
        return reply.Payload;
    }
}
