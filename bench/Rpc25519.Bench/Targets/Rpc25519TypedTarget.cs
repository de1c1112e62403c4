using System.Net;

namespace Rpc25519.Bench.Targets;

/// <summary>Ours through the typed API: a registered service method called with
/// <see cref="RpcClient.CallAsync{TArgs, TReply}(string, TArgs, CancellationToken)"/> (MessagePack byte[] in and out).</summary>
internal sealed class Rpc25519TypedTarget : IEchoTarget
{
    private readonly RpcServer _server = new(new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp });
    private int _port;

    public const string TargetName = "Rpc25519 typed (plain TCP)";

    public string Name => TargetName;

    public bool SupportsConcurrentCallers => true;

    public async Task StartAsync()
    {
        _server.Register(new Echo());
        _port = ((IPEndPoint)await _server.StartAsync()).Port;
    }

    public async Task<IEchoClient> ConnectAsync() => new Client(await RpcClient.ConnectAsync(
        new RpcOptions { ServerAddress = $"127.0.0.1:{_port}", Transport = TransportKind.Tcp }));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>The typed service.</summary>
    public sealed class Echo
    {
        public Task<byte[]> Bytes(byte[] payload) => Task.FromResult(payload);
    }

    private sealed class Client(RpcClient client) : IEchoClient
    {
        public async ValueTask EchoAsync(byte[] payload)
        {
            byte[] reply = await client.CallAsync<byte[], byte[]>("Echo.Bytes", payload);
            if (reply.Length != payload.Length)
            {
                throw new InvalidOperationException("typed echo returned the wrong length");
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
