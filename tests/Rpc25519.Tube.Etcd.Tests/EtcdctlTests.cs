using System.Text.RegularExpressions;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>Debian's real etcdctl against Tube's etcd endpoint.</summary>
[Collection(EtcdCollection.Name)]
public sealed partial class EtcdctlTests(TubeEtcdCluster tube)
{
    [Fact]
    public async Task PutGetDelete()
    {
        string at = tube.Address;
        Assert.Equal("OK\n", await Etcdctl.OkAsync(at, "put", "smoke/a", "1"));
        Assert.Equal("smoke/a\n1\n", await Etcdctl.OkAsync(at, "get", "smoke/a"));
        Assert.Equal("1\n", await Etcdctl.OkAsync(at, "del", "smoke/a"));
        Assert.Equal("", await Etcdctl.OkAsync(at, "get", "smoke/a"));
    }

    [Fact]
    public async Task AnExpiredLeaseDeletesItsKeysAndWatchersSeeTheDelete()
    {
        string at = tube.Address;
        string grant = await Etcdctl.OkAsync(at, "lease", "grant", "1");
        // Tube grants at least EtcdEndpointOptions.MinLeaseTtl (2 s), as etcd grants at least its own minimum.
        Assert.Matches("lease [0-9a-f]{16} granted with TTL\\(2s\\)", grant);
        string lease = LeaseId().Match(grant).Groups[1].Value;
        await using var watcher = new Watcher(at, "expiry/k");
        // The watcher is live once it shows a change made after it started.
        await Etcdctl.OkAsync(at, "put", "expiry/k", "v0");
        for (int i = 1; !watcher.Output.Contains("v0", StringComparison.Ordinal) && i < 200; i++)
        {
            await Etcdctl.OkAsync(at, "put", "expiry/k", "v0");
        }

        await Etcdctl.OkAsync(at, "put", "expiry/k", "v", $"--lease={lease}");
        Assert.Contains("expiry/k", await Etcdctl.OkAsync(at, "lease", "timetolive", "--keys", lease));
        string output = await watcher.WaitForAsync("DELETE\nexpiry/k\n\n");
        Assert.Contains("PUT\nexpiry/k\nv\nDELETE\nexpiry/k\n", output);
        Assert.Equal("", await Etcdctl.OkAsync(at, "get", "expiry/k"));
        Assert.Equal($"lease {lease} already expired\n", await Etcdctl.OkAsync(at, "lease", "timetolive", lease));
    }

    [Fact]
    public async Task AReadAtAnOlderRevisionIsRefusedAsCompacted()
    {
        string at = tube.Address;
        await Etcdctl.OkAsync(at, "put", "old/k", "1");
        var result = await Etcdctl.RunAsync(at, ["get", "old/k", "--rev=1"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("etcdserver: mvcc: required revision has been compacted", result.Stderr);
        result = await Etcdctl.RunAsync(at, ["get", "old/k", "--rev=999999999"]);
        Assert.Contains("etcdserver: mvcc: required revision is a future revision", result.Stderr);
    }

    [Fact]
    public async Task EndpointStatusAndMemberListAnswer()
    {
        string at = tube.Address;
        Assert.Contains($"{at} is healthy", (await Etcdctl.RunAsync(at, ["endpoint", "health"])).Stderr);
        Assert.Contains("3.5.0", await Etcdctl.OkAsync(at, "endpoint", "status"));
        Assert.Contains("http://" + at, await Etcdctl.OkAsync(at, "member", "list"));
    }

    [GeneratedRegex("lease ([0-9a-f]{16}) granted")]
    private static partial Regex LeaseId();
}
