using Rpc25519.Messages;

namespace Rpc25519.SimNet.Harness;

/// <summary>Starts the real <see cref="RpcServer"/> on a simulated node with an "echo" function (the reply carries
/// the request's payload): the server most SimNet tests, scripts and benchmarks need.</summary>
public static class EchoServer
{
    /// <summary>The name of the echo function.</summary>
    public const string Service = "echo";

    /// <summary>The port the helpers use by default.</summary>
    public const int DefaultPort = 5000;

    /// <summary>Starts the server as <paramref name="node"/>'s own code, listening on <c>node:port</c>.</summary>
    /// <param name="network">The network (and so the simulation) the node is on.</param>
    /// <param name="node">The node that runs the server; a power-off of it kills the server.</param>
    /// <param name="port">The port to bind.</param>
    /// <param name="configure">Changes to the node's config before the server is made, or null.</param>
    /// <param name="register">Registers more functions before the server starts, or null.</param>
    /// <returns>The started server (await it inside <see cref="Simulation.Run"/>).</returns>
    public static Task<RpcServer> StartAsync(SimNetwork network, SimNode node, int port = DefaultPort,
        Action<RpcOptions>? configure = null, Action<RpcServer>? register = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(node);
        return node.Start(async () =>
        {
            RpcOptions config = network.CreateOptions(node);
            config.ListenAddress = $"{node.Name}:{port}";
            configure?.Invoke(config);
            var server = new RpcServer(config);
            server.RegisterCall(Service, static (request, _) =>
            {
                var reply = new Message();
                reply.Payload = request.Payload;
                return ValueTask.FromResult(reply);
            });
            register?.Invoke(server);
            await server.StartAsync();
            return server;
        });
    }
}
