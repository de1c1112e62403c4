using System.Net;
using System.Text;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Starts servers and clients on 127.0.0.1 over plain TCP for tests.</summary>
internal static class Loopback
{
    /// <summary>Generous bound for things that must happen; tests run in parallel on 2 cores in CI.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static RpcOptions ServerConfig(Action<RpcOptions>? tweak = null)
    {
        var config = new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp };
        tweak?.Invoke(config);
        return config;
    }

    public static async Task<(RpcServer Server, int Port)> StartServerAsync(Action<RpcServer> register,
        Action<RpcOptions>? tweak = null)
    {
        var server = new RpcServer(ServerConfig(tweak));
        register(server);
        EndPoint endPoint = await server.StartAsync();
        return (server, ((IPEndPoint)endPoint).Port);
    }

    public static Task<RpcClient> ConnectAsync(int port, Action<RpcOptions>? tweak = null)
    {
        var config = new RpcOptions { ServerAddress = $"127.0.0.1:{port}", Transport = TransportKind.Tcp };
        tweak?.Invoke(config);
        return RpcClient.ConnectAsync(config);
    }

    public static Message Request(string service, string text = "")
    {
        var message = new Message { Payload = Encoding.UTF8.GetBytes(text) };
        message.Header.ServiceName = service;
        return message;
    }

    public static string Text(this Message message) => Encoding.UTF8.GetString(message.Payload);

    /// <summary>Registers "echo": the reply carries the request's payload and subject.</summary>
    public static void Echo(RpcServer server) =>
        server.RegisterCall("echo", (request, _) =>
        {
            var reply = new Message();
            reply.Payload = request.Payload;
            return ValueTask.FromResult(reply);
        });
}
