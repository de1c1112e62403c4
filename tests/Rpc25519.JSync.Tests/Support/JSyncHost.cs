using Rpc25519.JSync.Sync;
using Rpc25519.Peers;
using Rpc25519.JSync.Transport;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>A jsync server on 127.0.0.1 over TLS serving one root, and clients connected to it.</summary>
internal sealed class JSyncHost : IAsyncDisposable
{
    private readonly RpcServer _server;
    private readonly List<RpcClient> _clients = [];
    private readonly string _certs;
    private TaskCompletionSource<(SyncResult? Result, Exception? Error)> _ended = NewEnded();

    private JSyncHost(RpcServer server, string certs)
    {
        _server = server;
        _certs = certs;
    }

    /// <summary>The server's peer API, for tests that register their own services.</summary>
    public PeerApi ServerPeers => _server.PeerApi;

    /// <summary>The server's bound address, host:port.</summary>
    public string Address => _server.LocalAddress.Replace("tcp://", "", StringComparison.Ordinal);

    public static RpcOptions Config(string certs) => new()
    {
        ListenAddress = "127.0.0.1:0",
        Transport = TransportKind.Tls,
        Tls =
        {
            CertPath = certs,
            KnownClientKeysPath = "",
            KnownServerKeysPath = "",
            HandshakeTimeout = TimeSpan.FromSeconds(10),
        },
        ConnectTimeout = TimeSpan.FromSeconds(10),
        DefaultCallTimeout = TimeSpan.FromSeconds(10),
    };

    public static async Task<JSyncHost> StartAsync(string certs, string root, bool readOnly = false)
    {
        var server = new RpcServer(Config(certs));
        var host = new JSyncHost(server, certs);
        JSyncService.Register(server.PeerApi, root, readOnly,
            (result, error) => host._ended.TrySetResult((result, error)));
        await server.StartAsync();
        return host;
    }

    /// <summary>The end of the next server-side sync (its result or its error); call before starting the sync.</summary>
    public Task<(SyncResult? Result, Exception? Error)> NextSyncEnd()
    {
        _ended = NewEnded();
        return _ended.Task;
    }

    /// <summary>A client connected to <paramref name="address"/> (default: this server).</summary>
    public async Task<RpcClient> ConnectAsync(string? address = null)
    {
        RpcOptions config = Config(_certs);
        config.ServerAddress = address ?? Address;
        RpcClient client = await RpcClient.ConnectAsync(config);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RpcClient client in _clients)
        {
            await client.DisposeAsync();
        }
        await _server.DisposeAsync();
    }

    private static TaskCompletionSource<(SyncResult?, Exception?)> NewEnded() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
