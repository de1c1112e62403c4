using System.Text;
using Rpc25519.Messages;
using Rpc25519.SimNet;

namespace Rpc25519.SimNet.Tests;

/// <summary>Helpers to run the real RpcServer/RpcClient on a simulated network.</summary>
internal static class SimRpc
{
    public static Message Request(string service, string text = "")
    {
        var message = new Message { JobSerz = Encoding.UTF8.GetBytes(text) };
        message.Hdr.ServiceName = service;
        return message;
    }

    public static string Text(this Message message) => Encoding.UTF8.GetString(message.JobSerz);

    /// <summary>Starts a server on <paramref name="node"/> with "echo" registered, as the node's own code.</summary>
    public static Task<RpcServer> StartEchoServer(SimNetwork net, SimNode node, int port = 5000,
        Action<RpcConfig>? tweak = null, Action<RpcServer>? register = null) =>
        node.Start(async () =>
        {
            RpcConfig config = net.CreateConfig(node);
            config.ServerAddr = $"{node.Name}:{port}";
            tweak?.Invoke(config);
            var server = new RpcServer(config);
            server.Register2Func("echo", (request, reply, _) =>
            {
                reply.JobSerz = request.JobSerz;
                return ValueTask.CompletedTask;
            });
            register?.Invoke(server);
            await server.StartAsync();
            return server;
        });

    /// <summary>Connects a client on <paramref name="node"/> to <paramref name="target"/>, as the node's own code.
    /// </summary>
    public static Task<RpcClient> Connect(SimNetwork net, SimNode node, string target,
        Action<RpcConfig>? tweak = null) =>
        node.Start(() =>
        {
            RpcConfig config = net.CreateConfig(node);
            config.ClientDialToHostPort = target;
            tweak?.Invoke(config);
            return RpcClient.ConnectAsync(config);
        });

    /// <summary>Makes a call from <paramref name="node"/> (continuations stay on the node).</summary>
    /// <remarks>The ValueTask is awaited directly, never converted with AsTask: the call's completion source runs
    /// continuations asynchronously, and one registered without a scheduling context (as AsTask does) is sent to the
    /// thread pool, which the escape detector reports.</remarks>
    public static Task<Message> Call(SimNode node, RpcClient client, string service, string text) =>
        node.Start(async () => await client.SendAndGetReplyAsync(Request(service, text)));
}
