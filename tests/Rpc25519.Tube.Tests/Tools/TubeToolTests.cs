using System.Text;
using Rpc25519.Tools.Tube;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Tools;

/// <summary>The <c>tube</c> tool run in-process: three replicas from three config files (two s-expression, one
/// JSON) over TLS on loopback elect a leader and serve a TubeClient; one stopped and restarted on its data directory
/// keeps its data; a second instance on a running node's directory is refused; bad command lines and files exit 2.</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class TubeToolTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly LoopbackDirectory dir = new("tube-tool-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task BadCommandLinesAndFilesExitTwo()
    {
        var errors = new StringWriter();
        Assert.Equal(2, await TubeCommand.RunAsync([], new StringWriter(), errors, null, CancellationToken.None));
        Assert.Contains("-config", errors.ToString());

        string bad = Path.Combine(dir.Root, "bad.cfg");
        await File.WriteAllTextAsync(bad, "(tubeConfig\nClusterID: \"c\"\nMyName: \"x\"\nNode2Addr: {\"a\": \"127.0.0.1:1\"}\n)");
        errors = new StringWriter();
        Assert.Equal(2, await TubeCommand.RunAsync(["-config", bad], new StringWriter(), errors, null, CancellationToken.None));
        Assert.Contains("line 3", errors.ToString());
        Assert.Contains("MyName", errors.ToString());
    }

    [Fact]
    public async Task ThreeToolReplicasServeAClientAndARestartKeepsItsData()
    {
        string[] names = ["node_0", "node_1", "node_2"];
        var addresses = names.ToDictionary(n => n, _ => $"127.0.0.1:{LoopbackDirectory.FreePort()}");
        string[] configs = names.Select((n, i) => WriteConfig(n, addresses, json: i == 2)).ToArray();
        var nodes = new Node?[3];
        try
        {
            for (int i = 0; i < 3; i++)
            {
                nodes[i] = await StartAsync(configs[i]);
            }

            await using var client = new TubeClient(new TubeClientOptions
            {
                Members = [.. addresses.Values], Rpc = ClientRpc(), OperationTimeout = Patience,
            });
            KvItem put = await client.PutAsync("t", B("k"), B("v1"));
            Assert.Equal("v1", S((await client.GetAsync("t", B("k")))!.Value!));

            // A second tube on a running node's data directory is refused by the storage lock.
            var errors = new StringWriter();
            Assert.Equal(1, await TubeCommand.RunAsync(["-config", configs[1]], new StringWriter(), errors, null,
                CancellationToken.None));
            Assert.Contains("another replica", errors.ToString());

            // Every node holds the write, then node_0 stops cleanly.
            await WaitAsync(async () =>
            {
                foreach (Node? node in nodes)
                {
                    if ((await node!.Replica.GetStatusAsync()).AppliedIndex < put.ModifyIndex)
                    {
                        return false;
                    }
                }

                return true;
            });
            Assert.Equal(0, await nodes[0]!.StopAsync());
            nodes[0] = null;

            // Its files hold the log: tube -log prints it.
            var log = new StringWriter();
            Assert.Equal(0, await TubeCommand.RunAsync(["-config", configs[0], "-log"], log, new StringWriter(), null,
                CancellationToken.None));
            Assert.Matches(@"log: [1-9]\d* entries", log.ToString());

            // The other two still make progress, and node_0 restarted from its directory recovers and catches up.
            await client.PutAsync("t", B("k"), B("v2"));
            nodes[0] = await StartAsync(configs[0]);
            Assert.True((await nodes[0]!.Replica.GetStatusAsync()).LastIndex >= put.ModifyIndex);
            await using var direct = new TubeClient(new TubeClientOptions
            {
                Members = [addresses["node_0"]], Rpc = ClientRpc(), OperationTimeout = Patience,
            });
            KvItem? item = await direct.GetAsync("t", B("k"), ReadMode.Linearizable);
            Assert.Equal("v2", S(item!.Value!));
            Assert.Equal(2, item.Version);
        }
        finally
        {
            foreach (Node? node in nodes)
            {
                if (node is not null)
                {
                    await node.StopAsync();
                }
            }
        }
    }

    /// <summary>With InitialLeaderName, node_0 starts a one-voter cluster and node_1 started with -add joins it
    /// through the leader; -log then verifies node_1's chain, and after a byte of its log is flipped says the chain
    /// is broken and exits 1. -add with -shadow is a usage error.</summary>
    [Fact]
    public async Task AddJoinsThroughTheLeaderAndLogReportsABrokenChain()
    {
        var errors = new StringWriter();
        Assert.Equal(2, await TubeCommand.RunAsync(["-config", "x.cfg", "-add", "-shadow"], new StringWriter(), errors,
            null, CancellationToken.None));
        Assert.Contains("cannot be combined", errors.ToString());

        string[] names = ["node_0", "node_1"];
        var addresses = names.ToDictionary(n => n, _ => $"127.0.0.1:{LoopbackDirectory.FreePort()}");
        string[] configs =
            [.. names.Select(n => dir.WriteTubeConfig("join-test", n, addresses, "InitialLeaderName: \"node_0\""))];
        Node? leader = null;
        Node? joiner = null;
        try
        {
            leader = await StartAsync(configs[0]);
            joiner = await StartAsync(configs[1], "-add");
            ulong joined = TubeConfig.NodeIdOf("node_1");
            await WaitAsync(async () => (await leader.Replica.GetStatusAsync()).Voters.Contains(joined)
                && (await joiner.Replica.GetStatusAsync()).AppliedIndex > 0);
            Assert.Equal(0, await joiner.StopAsync());
            joiner = null;
        }
        finally
        {
            await (joiner?.StopAsync() ?? Task.FromResult(0));
            await (leader?.StopAsync() ?? Task.FromResult(0));
        }

        var log = new StringWriter();
        Assert.Equal(0, await TubeCommand.RunAsync(["-config", configs[1], "-log"], log, new StringWriter(), null,
            CancellationToken.None));
        Assert.Matches(@"chain: verified \d+ records in 1 segment", log.ToString());

        string segment = Directory.GetFiles(Path.Combine(dir.Root, "data", "node_1"), "*.wal").Single();
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 3] ^= 0x20;
        await File.WriteAllBytesAsync(segment, bytes);
        log = new StringWriter();
        errors = new StringWriter();
        Assert.Equal(1, await TubeCommand.RunAsync(["-config", configs[1], "-log"], log, errors, null,
            CancellationToken.None));
        Assert.Contains("chain: BROKEN", log.ToString());
        Assert.Contains(Path.GetFileName(segment), errors.ToString());
    }

    private string WriteConfig(string name, Dictionary<string, string> addresses, bool json)
    {
        string data = Path.Combine(dir.Root, "data", name);
        string path = Path.Combine(dir.Root, name + (json ? ".json" : ".cfg"));
        string text;
        if (json)
        {
            text = "{\n" +
                "  \"ClusterID\": \"tool-test\",\n" +
                $"  \"MyName\": \"{name}\",\n" +
                $"  \"Node2Addr\": {{{string.Join(", ", addresses.Select(p => $"\"{p.Key}\": \"{p.Value}\""))}}},\n" +
                $"  \"DataDir\": \"{data}\",\n" +
                "  \"HeartbeatDur\": \"50ms\", \"MinElectionDur\": \"500ms\", \"ClockDriftBound\": \"20ms\",\n" +
                $"  \"RpcCfg\": {{\"CertPath\": \"{dir.Certs}\", \"ServerKeyPairName\": \"node\", " +
                "\"ClientKeyPairName\": \"client\", \"KnownClientKeysPath\": \"\", \"KnownServerKeysPath\": \"\"}\n" +
                "}\n";
        }
        else
        {
            text = "(tubeConfig\n" +
                "  ClusterID: \"tool-test\"\n" +
                $"  MyName: \"{name}\"\n" +
                $"  Node2Addr: (hash {string.Join(" ", addresses.Select(p => $"\"{p.Key}\":\"{p.Value}\""))})\n" +
                $"  DataDir: \"{data}\"\n" +
                "  HeartbeatDur: (dur \"50ms\")\n  MinElectionDur: (dur \"500ms\")\n  ClockDriftBound: (dur \"20ms\")\n" +
                "  RpcCfg: (rpc25519_Config\n" +
                $"    CertPath: \"{dir.Certs}\", ServerKeyPairName: \"node\", ClientKeyPairName: \"client\",\n" +
                "    KnownClientKeysPath: \"\", KnownServerKeysPath: \"\")\n" +
                ")\n";
        }

        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<Node> StartAsync(string config, params string[] flags)
    {
        var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource<TubeReplica>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringWriter();
        Task<int> run = TubeCommand.RunAsync(["-config", config, .. flags], new StringWriter(), errors,
            replica => started.TrySetResult(replica), stop.Token);
        Task first = await Task.WhenAny(started.Task, run).WaitAsync(Patience);
        if (first == run)
        {
            Assert.Fail($"tube exited with {await run}: {errors}");
        }

        return new Node(await started.Task, run, stop);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }

    private RpcOptions ClientRpc() => new()
    {
        Transport = TransportKind.Tls,
        Tls = { CertPath = dir.Certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    private sealed record Node(TubeReplica Replica, Task<int> Run, CancellationTokenSource Stop)
    {
        public async Task<int> StopAsync()
        {
            await Stop.CancelAsync();
            int code = await Run.WaitAsync(Patience);
            Stop.Dispose();
            return code;
        }
    }
}
