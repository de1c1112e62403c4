using Rpc25519.Tools.Tube;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary><c>tube -etcd HOST:PORT</c>: a one-node replica started by the tool serves etcdctl.</summary>
[Collection(EtcdCollection.Name)]
public sealed class TubeToolEtcdTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("tube-tool-etcd-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string WriteConfig()
    {
        string path = Path.Combine(root, "node.json");
        File.WriteAllText(path, "{\n" +
            "  \"ClusterID\": \"etcd-tool-test\", \"MyName\": \"n0\",\n" +
            $"  \"Node2Addr\": {{\"n0\": \"127.0.0.1:{TubeEtcdCluster.FreePort()}\"}},\n" +
            $"  \"DataDir\": \"{Path.Combine(root, "data")}\",\n" +
            "  \"HeartbeatDur\": \"50ms\", \"MinElectionDur\": \"500ms\", \"ClockDriftBound\": \"20ms\"\n}\n");
        return path;
    }

    [Fact]
    public async Task TubeWithEtcdServesEtcdctl()
    {
        Etcdctl.Require();
        string etcd = $"127.0.0.1:{TubeEtcdCluster.FreePort()}";
        using var stop = new CancellationTokenSource();
        var errors = new StringWriter();
        Task<int> run = TubeCommand.RunAsync(["-config", WriteConfig(), "-tcp", "-etcd", etcd], TextWriter.Null,
            errors, null, stop.Token);

        // Up once a put goes through (bounded).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        EtcdctlResult put;
        while ((put = await Etcdctl.RunAsync(etcd, ["put", "tool/k", "v"])).ExitCode != 0)
        {
            Assert.False(run.IsCompleted, $"tube exited early: {errors}");
            Assert.True(DateTime.UtcNow < deadline, $"tube -etcd {etcd} did not serve a put in 20 s: {put.Stderr}");
            await Task.Delay(100);
        }

        Assert.Equal("tool/k\nv\n", await Etcdctl.OkAsync(etcd, "get", "tool/k"));
        await stop.CancelAsync();
        Assert.Equal(0, await run);
    }

    [Fact]
    public async Task ABadEtcdAddressExitsTwo()
    {
        var errors = new StringWriter();
        int code = await TubeCommand.RunAsync(["-config", WriteConfig(), "-tcp", "-etcd", "nowhere"], TextWriter.Null,
            errors, null, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("-etcd", errors.ToString());
        Assert.Contains("127.0.0.1:2379", errors.ToString());
    }
}
