using System.Net;
using System.Net.Sockets;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Replicas in this process on loopback TCP with TLS, each on its own data directory through
/// <see cref="FileRaftStorage"/> (4 KiB segments, so that a few writes fill several), started and stopped one at a
/// time; every wait is bounded by <see cref="Patience"/>. Disposing stops every replica and deletes the files.</summary>
internal sealed class FileCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly LoopbackDirectory dir = new("tube-files-");

    public FileCluster(int size = 3)
    {
        for (ulong id = 1; id <= (ulong)size; id++)
        {
            Members[id] = $"127.0.0.1:{LoopbackDirectory.FreePort()}";
        }
    }

    /// <summary>The configured address book: node id to loopback address.</summary>
    public SortedDictionary<ulong, string> Members { get; } = [];

    /// <summary>The running replicas by node id.</summary>
    public SortedDictionary<ulong, TubeReplica> Running { get; } = [];

    /// <summary>Changes every replica's options before its start (thresholds, timings), or null.</summary>
    public Action<TubeReplicaOptions>? Configure { get; init; }

    public string DataDirectory(ulong id) => Path.Combine(dir.Root, "node" + id);

    /// <summary>Node <paramref name="id"/>'s log segment files, oldest first.</summary>
    public string[] Segments(ulong id) =>
        [.. Directory.GetFiles(DataDirectory(id), "*.wal").Order(StringComparer.Ordinal)];

    public Task<FileRaftStorage> OpenStorageAsync(ulong id) => FileRaftStorage.OpenAsync(new RaftStorageOptions
    {
        Directory = DataDirectory(id), SegmentBytesMax = 4096,
    });

    /// <summary>Options for node <paramref name="id"/> on <paramref name="storage"/>, with this cluster's address
    /// book and fast timings.</summary>
    public TubeReplicaOptions Options(ulong id, IRaftStorage storage)
    {
        RpcOptions rpc = Rpc();
        rpc.ListenAddress = Members[id];
        var options = new TubeReplicaOptions
        {
            NodeId = id, Members = new SortedDictionary<ulong, string>(Members), Rpc = rpc, Storage = storage,
            TickInterval = TimeSpan.FromMilliseconds(50),
        };
        Configure?.Invoke(options);
        return options;
    }

    /// <summary>Opens node <paramref name="id"/>'s directory and starts it.</summary>
    public async Task<TubeReplica> StartAsync(ulong id)
    {
        FileRaftStorage storage = await OpenStorageAsync(id);
        TubeReplica replica = await TubeReplica.StartAsync(Options(id, storage));
        Running[id] = replica;
        return replica;
    }

    public async Task StartAllAsync()
    {
        foreach (ulong id in Members.Keys)
        {
            await StartAsync(id);
        }
    }

    public async Task StopAsync(ulong id)
    {
        if (Running.Remove(id, out TubeReplica? replica))
        {
            await replica.DisposeAsync();
        }
    }

    public async Task StopAllAsync()
    {
        foreach (ulong id in Running.Keys.ToList())
        {
            await StopAsync(id);
        }
    }

    public TubeClient NewClient(params ulong[] only) => new(new TubeClientOptions
    {
        Members = [.. Members.Where(m => only.Length == 0 || only.Contains(m.Key)).Select(m => m.Value)],
        Rpc = Rpc(), OperationTimeout = Patience,
    });

    /// <summary>The id of the running replica that leads, once one does.</summary>
    public async Task<ulong> LeaderAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            foreach (var (id, replica) in Running)
            {
                if ((await replica.GetStatusAsync(deadline.Token)).Role == RaftRole.Leader)
                {
                    return id;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    /// <summary>Waits until every running replica has applied what the leader has committed and they all hold the
    /// same state hash.</summary>
    public async Task WaitConvergedAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            ulong leader = await LeaderAsync();
            long commit = (await Running[leader].GetStatusAsync(deadline.Token)).CommitIndex;
            var hashes = new HashSet<string>();
            bool applied = true;
            foreach (TubeReplica replica in Running.Values)
            {
                var (index, hash) = await replica.GetStateHashAsync(deadline.Token);
                applied &= index >= commit;
                hashes.Add(hash);
            }

            if (applied && hashes.Count == 1)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    /// <summary>True when nothing listens on the loopback address <paramref name="address"/> (it can be bound).</summary>
    public static bool PortIsFree(string address)
    {
        var listener = new TcpListener(IPAddress.Loopback, IPEndPoint.Parse(address).Port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>TLS (the default transport) with the directory's keys.</summary>
    public RpcOptions Rpc() => dir.ClientRpc();

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        dir.Dispose();
    }
}
