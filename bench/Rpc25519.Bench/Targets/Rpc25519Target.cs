using System.Net;
using Rpc25519.Messages;

namespace Rpc25519.Bench.Targets;

/// <summary>Ours: RpcServer and RpcClient over plain TCP, Message API, one connection per client.</summary>
internal sealed class Rpc25519Target : IEchoTarget
{
    private readonly RpcServer _server = new(new RpcConfig { ServerAddr = "127.0.0.1:0", TcpOnlyNoTls = true });
    private int _port;

    public string Name => "Rpc25519 (plain TCP)";

    public bool SupportsConcurrentCallers => true;

    public async Task StartAsync()
    {
        _server.Register2Func("echo", static (request, reply, _) =>
        {
            reply.JobSerz = request.JobSerz;
            return ValueTask.CompletedTask;
        });
        _port = ((IPEndPoint)await _server.StartAsync()).Port;
    }

    public async Task<IEchoClient> ConnectAsync() => new Client(await RpcClient.ConnectAsync(
        new RpcConfig { ClientDialToHostPort = $"127.0.0.1:{_port}", TcpOnlyNoTls = true }));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class Client(RpcClient client) : IEchoClient
    {
        public async ValueTask EchoAsync(byte[] payload)
        {
            var request = new Message { JobSerz = payload };
            request.Hdr.ServiceName = "echo";
            Message reply = await client.SendAndGetReplyAsync(request);
            if (reply.JobSerz.Length != payload.Length)
            {
                throw new InvalidOperationException("echo returned the wrong length");
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
