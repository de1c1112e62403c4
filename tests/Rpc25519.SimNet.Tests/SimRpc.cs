using System.Text;
using Rpc25519.Messages;
using Rpc25519.SimNet;

namespace Rpc25519.SimNet.Tests;

/// <summary>Helpers to run the real RpcServer/RpcClient on a simulated network.</summary>
internal static class SimRpc
{
    public static Message Request(string service, string text = "")
    {
        var message = new Message { Payload = Encoding.UTF8.GetBytes(text) };
        message.Header.ServiceName = service;
        return message;
    }

    public static string Text(this Message message) => Encoding.UTF8.GetString(message.Payload);

    /// <summary>Starts a server on <paramref name="node"/> with "echo" registered, as the node's own code.</summary>
    public static Task<RpcServer> StartEchoServer(SimNetwork net, SimNode node, int port = 5000,
        Action<RpcOptions>? tweak = null, Action<RpcServer>? register = null) =>
        Harness.EchoServer.StartAsync(net, node, port, tweak, register);

    /// <summary>Connects a client on <paramref name="node"/> to <paramref name="target"/>, as the node's own code.
    /// </summary>
    public static Task<RpcClient> Connect(SimNetwork net, SimNode node, string target,
        Action<RpcOptions>? tweak = null) =>
        node.Start(() =>
        {
            RpcOptions config = net.CreateOptions(node);
            config.ServerAddress = target;
            tweak?.Invoke(config);
            return RpcClient.ConnectAsync(config);
        });

    /// <summary>Makes a call from <paramref name="node"/> (continuations stay on the node).</summary>
    /// <remarks>The ValueTask is awaited directly, never converted with AsTask: the call's completion source runs
    /// continuations asynchronously, and one registered without a scheduling context (as AsTask does) is sent to the
    /// thread pool, which the escape detector reports.</remarks>
    public static Task<Message> Call(SimNode node, RpcClient client, string service, string text) =>
        node.Start(async () => await client.CallAsync(Request(service, text)));
}
