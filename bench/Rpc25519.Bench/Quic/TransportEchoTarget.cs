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
        _server.RegisterUpload("upload", static async (parts, ct) =>
        {
            long bytes = 0;
            await foreach (Message part in parts.WithCancellation(ct))
            {
                bytes += part.Payload.Length;
            }
            var reply = new Message();
            reply.Header.Subject = bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return reply;
        });
        _port = ((IPEndPoint)await _server.StartAsync()).Port;
    }

    /// <summary>Uploads <paramref name="totalBytes"/> in 1 MiB parts over a fresh client; returns MB/s.</summary>
    public async Task<double> UploadMegabytesPerSecondAsync(long totalBytes)
    {
        RpcOptions options1 = options();
        options1.ServerAddress = $"127.0.0.1:{_port}";
        await using RpcClient client = await RpcClient.ConnectAsync(options1);
        byte[] part = new byte[1024 * 1024];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Rpc25519.Streams.Uploader upload = await client.BeginUploadAsync("upload", new Message { Payload = part });
        for (long sent = part.Length; sent + part.Length < totalBytes; sent += part.Length)
        {
            await upload.SendAsync(new Message { Payload = part });
        }
        Message done = await upload.CompleteAsync(new Message { Payload = part });
        double seconds = watch.Elapsed.TotalSeconds;
        return long.Parse(done.Header.Subject, System.Globalization.CultureInfo.InvariantCulture) / seconds / 1e6;
    }

    public async Task<IEchoClient> ConnectAsync() => new Client(await ConnectClientAsync());

    /// <summary>A fresh RpcClient connected to the server.</summary>
    public async Task<RpcClient> ConnectClientAsync()
    {
        RpcOptions client = options();
        client.ServerAddress = $"127.0.0.1:{_port}";
        return await RpcClient.ConnectAsync(client);
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
