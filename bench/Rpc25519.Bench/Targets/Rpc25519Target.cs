using System.Net;
using Rpc25519.Messages;

namespace Rpc25519.Bench.Targets;

/// <summary>Ours: RpcServer and RpcClient over plain TCP, Message API, one connection per client.</summary>
internal sealed class Rpc25519Target : IEchoTarget
{
    private readonly RpcServer _server = new(new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp });
    private int _port;

    public const string TargetName = "Rpc25519 (plain TCP)";

    public string Name => TargetName;

    public bool SupportsConcurrentCallers => true;

    public async Task StartAsync()
    {
        _server.RegisterCall("echo", static (request, _) =>
        {
            var reply = new Message();
            reply.Payload = request.Payload;
            return ValueTask.FromResult(reply);
        });
        _port = ((IPEndPoint)await _server.StartAsync()).Port;
    }

    public async Task<IEchoClient> ConnectAsync() => new Client(await RpcClient.ConnectAsync(
        new RpcOptions { ServerAddress = $"127.0.0.1:{_port}", Transport = TransportKind.Tcp }));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

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
