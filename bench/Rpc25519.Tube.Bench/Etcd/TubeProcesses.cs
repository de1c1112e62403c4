using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rpc25519.Bench;
using Rpc25519.Security;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// Three Tube replicas, each this executable again in <see cref="ReplicaChild"/> mode, on loopback with TLS 1.3
/// (a fresh CA and key pairs made in the temp folder) and fsync on, data under the temp folder; driven through one
/// <see cref="TubeClient"/> shared by all callers.
/// </summary>
internal sealed class TubeProcesses : IKvTarget
{
    private const string Table = "bench";
    private readonly List<Process> children = [];
    private readonly SemaphoreSlim statsGate = new(1, 1);
    private TubeClient? client;

    /// <summary>Lone writes answered first by the follower, and by the leader, so far.</summary>
    public (long Follower, long Leader) FollowerReplyCounts => client?.FollowerReplyCounts ?? (0, 0);

    /// <summary>Set to 1 to turn <see cref="TubeClientOptions.FollowerReplies"/> on in the benchmark's client.</summary>
    public const string FollowerRepliesVariable = "TUBE_BENCH_FOLLOWER_REPLIES";

    private TubeProcesses()
    {
    }

    public string Name => "Tube";

    public IReadOnlyList<Process> Children => children;

    public static async Task<TubeProcesses> StartAsync(string root, CancellationToken cancellationToken)
    {
        var cluster = new TubeProcesses();
        try
        {
            await cluster.StartChildrenAsync(root, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartChildrenAsync(string root, CancellationToken cancellationToken)
    {
        string certs = MakeKeys(root);
        string[] names = ["tube0", "tube1", "tube2"];
        var addresses = names.ToDictionary(n => n, _ => $"127.0.0.1:{FreePort()}");
        foreach (string name in names)
        {
            string config = Path.Combine(root, name + ".json");
            await File.WriteAllTextAsync(config, ConfigJson(name, addresses, Path.Combine(root, "data", name), certs),
                cancellationToken);
            Process child = ChildProcesses.Track(ChildServer.Start(ReplicaChild.Mode, config));
            children.Add(child);
            await ChildServer.ReadPortAsync(child).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        client = new TubeClient(new TubeClientOptions
        {
            Members = [.. addresses.Values],
            Rpc = new RpcOptions
            {
                Transport = TransportKind.Tls,
                Tls = { CertPath = certs, ClientKeyPairName = "client", KnownClientKeysPath = "", KnownServerKeysPath = "" },
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            OperationTimeout = TimeSpan.FromSeconds(30),
            // TUBE_BENCH_FOLLOWER_REPLIES=1 turns follower replies on, for an A/B run against the default.
            FollowerReplies = Environment.GetEnvironmentVariable(FollowerRepliesVariable) == "1",
        });
        // The first write waits for the election and opens the client's session.
        await client.PutAsync(Table, Encoding.ASCII.GetBytes("started"), [1], cancellationToken: cancellationToken);
    }

    /// <summary>A fresh CA and the key pairs "node" and "client" (no pass-phrase) under ROOT; returns the certificate
    /// directory.</summary>
    internal static string MakeKeys(string root)
    {
        string certs = Path.Combine(root, "certs");
        string secrets = Path.Combine(root, "private");
        SelfCertificates.CreateCertificateAuthority(secrets, passphrase: null);
        SelfCertificates.CreateKeyPair("node", "node@tube-bench.invalid", certs, secrets, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "client@tube-bench.invalid", certs, secrets, null, _ => "");
        return certs;
    }

    internal static string ConfigJson(string name, Dictionary<string, string> addresses, string data, string certs) =>
        "{\n" +
        "  \"ClusterID\": \"tube-bench\",\n" +
        $"  \"MyName\": \"{name}\",\n" +
        $"  \"Node2Addr\": {{{string.Join(", ", addresses.Select(p => $"\"{p.Key}\": \"{p.Value}\""))}}},\n" +
        $"  \"DataDir\": \"{data}\",\n" +
        $"  \"RpcCfg\": {{\"CertPath\": \"{certs}\", \"ServerKeyPairName\": \"node\", \"ClientKeyPairName\": \"node\", " +
        "\"KnownClientKeysPath\": \"\", \"KnownServerKeysPath\": \"\"}\n" +
        "}\n";

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken) =>
        client!.PutAsync(Table, key, value, cancellationToken: cancellationToken);

    public async Task<long> GetAsync(byte[] key, CancellationToken cancellationToken) =>
        (await client!.GetAsync(Table, key, cancellationToken: cancellationToken))?.Version ?? 0;

    public async Task<long> CompareAndSwapAsync(byte[] key, byte[] value, long expectedVersion,
        CancellationToken cancellationToken)
    {
        try
        {
            return (await client!.CompareAndSwapAsync(Table, key, value, expectedVersion: expectedVersion,
                cancellationToken: cancellationToken)).Version;
        }
        catch (CasMismatchException)
        {
            return -1;
        }
    }

    public async Task<FsyncCounters?> ReadCountersAsync(CancellationToken cancellationToken)
    {
        await statsGate.WaitAsync(cancellationToken);
        try
        {
            long syncs = 0, batches = 0, most = 0;
            foreach (Process child in children)
            {
                await child.StandardInput.WriteLineAsync("stats");
                await child.StandardInput.FlushAsync(cancellationToken);
                string line = await child.StandardOutput.ReadLineAsync(cancellationToken).AsTask()
                    .WaitAsync(TimeSpan.FromSeconds(10), cancellationToken)
                    ?? throw new InvalidOperationException($"Tube replica {child.Id} exited.");
                string[] parts = line.Split(' ');
                long s = long.Parse(parts[0], CultureInfo.InvariantCulture);
                syncs += s;
                batches += long.Parse(parts[1], CultureInfo.InvariantCulture);
                most = Math.Max(most, s);
            }

            return new FsyncCounters(syncs, batches, most);
        }
        finally
        {
            statsGate.Release();
        }
    }

    /// <summary>The processor time the replica processes have used so far, summed.</summary>
    public TimeSpan ReplicaProcessorTime()
    {
        var total = TimeSpan.Zero;
        foreach (Process child in children)
        {
            child.Refresh();
            total += child.TotalProcessorTime;
        }

        return total;
    }

    /// <summary>Each replica's <see cref="StageTimes"/> report since the previous call, one line per replica.</summary>
    public async Task<IReadOnlyList<string>> ReadStageTimesAsync(CancellationToken cancellationToken)
    {
        await statsGate.WaitAsync(cancellationToken);
        try
        {
            var lines = new List<string>();
            foreach (Process child in children)
            {
                await child.StandardInput.WriteLineAsync("trace");
                await child.StandardInput.FlushAsync(cancellationToken);
                lines.Add(await child.StandardOutput.ReadLineAsync(cancellationToken).AsTask()
                    .WaitAsync(TimeSpan.FromSeconds(10), cancellationToken)
                    ?? throw new InvalidOperationException($"Tube replica {child.Id} exited."));
            }

            return lines;
        }
        finally
        {
            statsGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }

        foreach (Process child in children)
        {
            ChildProcesses.Stop(child, closeInput: true);
        }

        statsGate.Dispose();
    }
}
