using System.Net;
using Rpc25519.Bench.Targets;
using Rpc25519.Messages;

namespace Rpc25519.Bench.Quic;

/// <summary>RpcServer and RpcClient over whatever transport <c>configure</c> picks (TLS or QUIC), Message API, one
/// connection per client.</summary>
internal sealed class TransportEchoTarget(string name, Func<RpcOptions> options) : IEchoTarget
{
    private RpcServer? _server;
    private RpcOptions? _serverOptions;
    private int _port;

    public string Name => name;

    public bool SupportsConcurrentCallers => true;

    public async Task StartAsync()
    {
        _serverOptions = options();
        _serverOptions.ListenAddress = "127.0.0.1:0";
        _server = new RpcServer(_serverOptions);
        _server.RegisterCall("echo", static (request, _) =>
        {
            var reply = new Message();
            reply.Payload = request.Payload;
            return ValueTask.FromResult(reply);
        });
        _port = ((IPEndPoint)await _server.StartAsync()).Port;
    }

    public async Task<IEchoClient> ConnectAsync()
    {
        RpcOptions client = options();
        client.ServerAddress = $"127.0.0.1:{_port}";
        return new Client(await RpcClient.ConnectAsync(client));
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private sealed class Client(RpcClient client) : IEchoClient
    {
        public async ValueTask EchoAsync(byte[] payload)
        {
            var request = new Message { Payload = payload };
            request.Header.ServiceName = "echo";
            Message reply = await client.CallAsync(request);
            if (reply.Payload.Length != payload.Length)
            {
                throw new InvalidOperationException("echo returned the wrong length");
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
