using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Helpers to run an echo server and a client on loopback with given configs.</summary>
internal static class TlsTestHost
{
    public static RpcConfig Config(string certs, bool tcp = false) => new()
    {
        ServerAddr = "127.0.0.1:0",
        TcpOnlyNoTls = tcp,
        CertPath = certs,
        KnownClientKeysPath = "",
        KnownServerKeysPath = "",
        ConnectTimeout = TimeSpan.FromSeconds(10),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        DefaultCallTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<RpcServer> StartEchoAsync(RpcConfig config)
    {
        var server = new RpcServer(config);
        server.Register2Func("echo", (request, reply, _) =>
        {
            reply.JobSerz = request.JobSerz;
            return ValueTask.CompletedTask;
        });
        await server.StartAsync();
        return server;
    }

    public static RpcConfig ClientOf(RpcServer server, RpcConfig config)
    {
        RpcConfig copy = config.Clone();
        copy.ClientDialToHostPort = server.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal);
        return copy;
    }

    public static async Task<byte[]> EchoAsync(RpcClient client, byte[] payload)
    {
        var request = new Message { JobSerz = payload };
        request.Hdr.ServiceName = "echo";
        Message reply = await client.SendAndGetReplyAsync(request);
        return reply.JobSerz;
    }
}
