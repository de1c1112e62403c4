using System.Diagnostics;
using System.Globalization;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Rpc25519.Tube.Bench.Etcd;

/// <summary>
/// Three etcd members (Debian's <c>etcd-server</c> package: the <c>etcd</c> binary on PATH) on loopback, plain HTTP,
/// fsync on (etcd's default), data under the temp folder; driven through one dotnet-etcd client connected to the
/// leader (as the Tube client talks to the leader), shared by all callers. Each member runs under a small shell that
/// kills it when its standard input closes, so a parent that dies takes the members with it.
/// </summary>
internal sealed class EtcdProcesses : IKvTarget
{
    public const string InstallHint = "install etcd-server (apt-get install etcd-server)";
    private readonly List<Process> children = [];
    private readonly List<string> clientUrls = [];
    private EtcdClient? client;
    private string leaderUrl = "";
    private readonly HttpClient metrics = new() { Timeout = TimeSpan.FromSeconds(10) };

    private EtcdProcesses()
    {
    }

    public string Name => "etcd";

    /// <summary>The etcd binary on PATH, or null.</summary>
    public static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "etcd")).FirstOrDefault(File.Exists);

    public static async Task<EtcdProcesses> StartAsync(string etcd, string root, CancellationToken cancellationToken)
    {
        var cluster = new EtcdProcesses();
        try
        {
            await cluster.StartMembersAsync(etcd, root, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
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
            var start = new ProcessStartInfo("/bin/sh")
            {
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            // sh -c SCRIPT NAME ARGS...: etcd runs in the background with its log in a file; when the parent closes
            // (or loses) the shell's input, `read` returns and the shell stops etcd.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("\"$0\" \"$@\" >\"$ETCD_BENCH_LOG\" 2>&1 & member=$!; read ignored; " +
                "kill $member; wait $member 2>/dev/null");
            start.ArgumentList.Add(etcd);
            foreach (string argument in new[]
                     {
                         "--name", names[i], "--data-dir", data,
                         "--listen-client-urls", clientUrls[i], "--advertise-client-urls", clientUrls[i],
                         "--listen-peer-urls", peers[i], "--initial-advertise-peer-urls", peers[i],
                         "--initial-cluster", initial, "--initial-cluster-state", "new",
                         "--initial-cluster-token", "tube-bench-" + Path.GetFileName(root),
                     })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["ETCD_BENCH_LOG"] = Path.Combine(root, names[i] + ".log");
            children.Add(ChildProcesses.Track(Process.Start(start)!));
        }

        // Wait until the members agree on a leader, then connect the benchmark's client to it.
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (children.FirstOrDefault(c => c.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"an etcd member exited with {dead.ExitCode}; see the *.log " +
                    $"files in {root}.");
            }

            leaderUrl = await FindLeaderAsync(cancellationToken) ?? "";
            if (leaderUrl.Length > 0)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the etcd members elected no leader within 30 s; see the *.log files in {root}.");
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
            catch (Grpc.Core.RpcException)
            {
                // Not serving yet.
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
