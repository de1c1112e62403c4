using System.Net;
using System.Text;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Starts servers and clients on 127.0.0.1 over plain TCP for tests.</summary>
internal static class Loopback
{
    /// <summary>Generous bound for things that must happen; tests run in parallel on 2 cores in CI.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static RpcConfig ServerConfig(Action<RpcConfig>? tweak = null)
    {
        var config = new RpcConfig { ServerAddr = "127.0.0.1:0", TcpOnlyNoTls = true };
        tweak?.Invoke(config);
        return config;
    }

    public static async Task<(RpcServer Server, int Port)> StartServerAsync(Action<RpcServer> register,
        Action<RpcConfig>? tweak = null)
    {
        var server = new RpcServer(ServerConfig(tweak));
        register(server);
        EndPoint endPoint = await server.StartAsync();
        return (server, ((IPEndPoint)endPoint).Port);
    }

    public static Task<RpcClient> ConnectAsync(int port, Action<RpcConfig>? tweak = null)
    {
        var config = new RpcConfig { ClientDialToHostPort = $"127.0.0.1:{port}", TcpOnlyNoTls = true };
        tweak?.Invoke(config);
        return RpcClient.ConnectAsync(config);
    }

    public static Message Request(string service, string text = "")
    {
        var message = new Message { JobSerz = Encoding.UTF8.GetBytes(text) };
        message.Hdr.ServiceName = service;
        return message;
    }

    public static string Text(this Message message) => Encoding.UTF8.GetString(message.JobSerz);

    /// <summary>Registers "echo": the reply carries the request's payload and subject.</summary>
    public static void Echo(RpcServer server) =>
        server.Register2Func("echo", (request, reply, _) =>
        {
            reply.JobSerz = request.JobSerz;
            return ValueTask.CompletedTask;
        });
}
