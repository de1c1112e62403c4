using System.Net;
using System.Net.Sockets;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>Three Tube replicas in this process on loopback (plain TCP, files in a temporary directory), a
/// TubeClient, and the etcd endpoint over it on a free loopback port. Shared by the tests of
/// <see cref="EtcdCollection"/>; each test uses keys of its own.</summary>
public sealed class TubeEtcdCluster : IAsyncLifetime
{
    private readonly string root = Directory.CreateTempSubdirectory("tube-etcd-").FullName;
    private readonly List<TubeReplica> replicas = [];

    public TubeClient Client { get; private set; } = null!;

    public EtcdEndpoint Endpoint { get; private set; } = null!;

    /// <summary>The endpoint's address, host:port.</summary>
    public string Address => Endpoint.Address;

    public async Task InitializeAsync()
    {
        var members = new SortedDictionary<ulong, string>();
        for (ulong id = 1; id <= 3; id++)
        {
            members[id] = $"127.0.0.1:{FreePort()}";
        }

        foreach (var (id, address) in members)
        {
            var storage = await FileRaftStorage.OpenAsync(new RaftStorageOptions
            {
                Directory = Path.Combine(root, "node" + id),
            });
            replicas.Add(await TubeReplica.StartAsync(new TubeReplicaOptions
            {
                NodeId = id, Members = members, Storage = storage,
                Rpc = new RpcOptions { Transport = TransportKind.Tcp, ListenAddress = address },
                TickInterval = TimeSpan.FromMilliseconds(50),
                // Log time moves every 200 ms when idle, so an expired lease's keys go within that.
                IdleTickInterval = TimeSpan.FromMilliseconds(200),
            }));
        }

        Client = new TubeClient(new TubeClientOptions
        {
            Members = [.. members.Values], Rpc = new RpcOptions { Transport = TransportKind.Tcp },
            OperationTimeout = TimeSpan.FromSeconds(20), KeepAliveInterval = TimeSpan.FromSeconds(30),
        });
        await Client.OpenSessionAsync();
        Endpoint = await EtcdEndpoint.StartAsync(Client, new EtcdEndpointOptions
        {
            ListenAddress = "127.0.0.1:0", ClusterId = 7, MemberId = 1,
        });
    }

    public async Task DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        await Client.DisposeAsync();
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }

        Directory.Delete(root, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
