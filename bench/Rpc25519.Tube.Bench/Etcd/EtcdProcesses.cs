using System.Diagnostics;
using System.Globalization;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// Three servers of etcd's v3 API on loopback, driven through one dotnet-etcd client connected to the leader (as the
/// Tube client talks to the leader), shared by all callers. Either three etcd members (Debian's <c>etcd-server</c>
/// package: the <c>etcd</c> binary on PATH; plain HTTP, fsync on, etcd's default), or three <c>tube</c> replicas
/// started with <c>-etcd</c> (Tube's etcd v3 endpoint beside each replica, TLS between the replicas), so the same
/// client and the same calls measure both servers. Data under the temp folder. Each member runs under a small shell
/// that stops it (SIGTERM) when its standard input closes, so a parent that dies takes the members with it.
/// </summary>
internal sealed class EtcdProcesses : IKvTarget
{
    public const string InstallHint = "install etcd-server (apt-get install etcd-server)";
    private readonly List<Process> children = [];
    private readonly List<string> clientUrls = [];
    private readonly bool hasMetrics;
    private EtcdClient? client;
    private string leaderUrl = "";
    private readonly HttpClient metrics = new() { Timeout = TimeSpan.FromSeconds(10) };

    private EtcdProcesses(string name, bool hasMetrics)
    {
        Name = name;
        this.hasMetrics = hasMetrics;
    }

    /// <summary>"etcd", or "Tube3" for Tube's etcd v3 endpoint.</summary>
    public string Name { get; }

    /// <summary>The etcd binary on PATH, or null.</summary>
    public static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "etcd")).FirstOrDefault(File.Exists);

    public static Task<EtcdProcesses> StartAsync(string etcd, string root, CancellationToken cancellationToken) =>
        StartAsync(new EtcdProcesses("etcd", hasMetrics: true), c => c.StartMembersAsync(etcd, root, cancellationToken));

    /// <summary>Three <c>tube -etcd</c> replicas; <paramref name="tube"/> is the command that runs the tool (the
    /// <c>tube</c> executable, or <c>dotnet</c> and <c>tube.dll</c>).</summary>
    public static Task<EtcdProcesses> StartTubeAsync(IReadOnlyList<string> tube, string root,
        CancellationToken cancellationToken) =>
        StartAsync(new EtcdProcesses(TubeEtcdName, hasMetrics: false),
            c => c.StartTubeReplicasAsync(tube, root, cancellationToken));

    /// <summary>The name in the table of Tube served through its etcd v3 endpoint.</summary>
    public const string TubeEtcdName = "Tube3";

    private static async Task<EtcdProcesses> StartAsync(EtcdProcesses cluster, Func<EtcdProcesses, Task> start)
    {
        try
        {
            await start(cluster);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartTubeReplicasAsync(IReadOnlyList<string> tube, string root,
        CancellationToken cancellationToken)
    {
        string certs = TubeProcesses.MakeKeys(root);
        string[] names = ["tube0", "tube1", "tube2"];
        var addresses = names.ToDictionary(n => n, _ => $"127.0.0.1:{TubeProcesses.FreePort()}");
        clientUrls.AddRange(names.Select(_ => $"http://127.0.0.1:{TubeProcesses.FreePort()}"));
        for (int i = 0; i < names.Length; i++)
        {
            string config = Path.Combine(root, names[i] + ".json");
            await File.WriteAllTextAsync(config, TubeProcesses.ConfigJson(names[i], addresses,
                Path.Combine(root, "data", names[i]), certs), cancellationToken);
            StartMember(root, names[i], [.. tube, "-config", config, "-etcd", clientUrls[i]["http://".Length..]]);
        }

        await ConnectToLeaderAsync(root, cancellationToken);
    }

    /// <summary>Runs <c>sh -c SCRIPT COMMAND ARGS...</c>: the member runs in the background with its output in
    /// ROOT/NAME.log; when the parent closes (or loses) the shell's input, <c>read</c> returns and the shell stops
    /// the member.</summary>
    private void StartMember(string root, string name, IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("\"$0\" \"$@\" >\"$ETCD_BENCH_LOG\" 2>&1 & member=$!; read ignored; " +
            "kill $member; wait $member 2>/dev/null");
        foreach (string argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ETCD_BENCH_LOG"] = Path.Combine(root, name + ".log");
        children.Add(ChildProcesses.Track(Process.Start(start)!));
    }

    private async Task StartMembersAsync(string etcd, string root, CancellationToken cancellationToken)
    {
        string[] names = ["etcd0", "etcd1", "etcd2"];
        string[] peers = [.. names.Select(_ => $"http://127.0.0.1:{TubeProcesses.FreePort()}")];
        clientUrls.AddRange(names.Select(_ => $"http://127.0.0.1:{TubeProcesses.FreePort()}"));
        string initial = string.Join(',', names.Select((n, i) => $"{n}={peers[i]}"));
        for (int i = 0; i < names.Length; i++)
        {
            string data = Path.Combine(root, "etcd-data", names[i]);
            Directory.CreateDirectory(data);
            StartMember(root, names[i],
            [
                etcd, "--name", names[i], "--data-dir", data,
                "--listen-client-urls", clientUrls[i], "--advertise-client-urls", clientUrls[i],
                "--listen-peer-urls", peers[i], "--initial-advertise-peer-urls", peers[i],
                "--initial-cluster", initial, "--initial-cluster-state", "new",
                "--initial-cluster-token", "tube-bench-" + Path.GetFileName(root),
            ]);
        }

        await ConnectToLeaderAsync(root, cancellationToken);
    }

    /// <summary>Waits until the members agree on a leader (its Status names itself), then connects the benchmark's
    /// client to it and writes one key.</summary>
    private async Task ConnectToLeaderAsync(string root, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (children.FirstOrDefault(c => c.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"a {Name} member exited with {dead.ExitCode}; see the *.log " +
                    $"files in {root}.");
            }

            leaderUrl = await FindLeaderAsync(cancellationToken) ?? "";
            if (leaderUrl.Length > 0)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the {Name} members elected no leader within 30 s; see the *.log files in " +
                    $"{root}.");
            }

            await Task.Delay(200, cancellationToken);
        }

        client = new EtcdClient(leaderUrl);
        await client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("started"), Value = ByteString.CopyFrom(1) },
            cancellationToken: cancellationToken);
    }

    private async Task<string?> FindLeaderAsync(CancellationToken cancellationToken)
    {
        foreach (string url in clientUrls)
        {
            try
            {
                using var probe = new EtcdClient(url);
                StatusResponse status = await probe.StatusAsync(new StatusRequest(),
                    deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                if (status.Leader != 0 && status.Leader == status.Header.MemberId)
                {
                    return url;
                }
            }
            catch (Exception e) when (e is Grpc.Core.RpcException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not serving yet (dotnet-etcd reports a passed deadline as a cancellation).
            }
        }

        return null;
    }

    public Task PutAsync(byte[] key, byte[] value, CancellationToken cancellationToken) =>
        client!.PutAsync(new PutRequest { Key = UnsafeByteOperations.UnsafeWrap(key), Value = UnsafeByteOperations.UnsafeWrap(value) },
            cancellationToken: cancellationToken);

    public async Task<long> GetAsync(byte[] key, CancellationToken cancellationToken)
    {
        // Serializable = false (the default) makes the read linearizable.
        RangeResponse response = await client!.GetAsync(new RangeRequest { Key = UnsafeByteOperations.UnsafeWrap(key) },
            cancellationToken: cancellationToken);
        return response.Kvs.Count == 0 ? 0 : response.Kvs[0].Version;
    }

    public async Task<long> CompareAndSwapAsync(byte[] key, byte[] value, long expectedVersion,
        CancellationToken cancellationToken)
    {
        var request = new TxnRequest();
        request.Compare.Add(new Compare
        {
            Key = UnsafeByteOperations.UnsafeWrap(key), Target = Compare.Types.CompareTarget.Version,
            Result = Compare.Types.CompareResult.Equal, Version = expectedVersion,
        });
        request.Success.Add(new RequestOp
        {
            RequestPut = new PutRequest { Key = UnsafeByteOperations.UnsafeWrap(key), Value = UnsafeByteOperations.UnsafeWrap(value) },
        });
        TxnResponse response = await client!.TransactionAsync(request, cancellationToken: cancellationToken);
        return response.Succeeded ? expectedVersion + 1 : -1;
    }

    /// <summary>etcd's own counter of WAL fsyncs (<c>etcd_disk_wal_fsync_duration_seconds_count</c> on each member's
    /// /metrics); it has no batch counter.</summary>
    public async Task<FsyncCounters?> ReadCountersAsync(CancellationToken cancellationToken)
    {
        if (!hasMetrics)
        {
            return null; // Tube's endpoint serves no /metrics; the TubeClient line shows Tube's fsyncs
        }

        long syncs = 0, most = 0;
        foreach (string url in clientUrls)
        {
            string text = await metrics.GetStringAsync(url + "/metrics", cancellationToken);
            const string name = "etcd_disk_wal_fsync_duration_seconds_count ";
            int at = text.IndexOf("\n" + name, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            int start = at + 1 + name.Length;
            int end = text.IndexOf('\n', start);
            long count = (long)double.Parse(text[start..end], CultureInfo.InvariantCulture);
            syncs += count;
            most = Math.Max(most, count);
        }

        return new FsyncCounters(syncs, 0, most);
    }

    public ValueTask DisposeAsync()
    {
        client?.Dispose();
        metrics.Dispose();
        foreach (Process child in children)
        {
            ChildProcesses.Stop(child, closeInput: true);
        }

        return ValueTask.CompletedTask;
    }
}
