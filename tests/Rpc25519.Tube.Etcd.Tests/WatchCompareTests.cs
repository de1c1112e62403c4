using System.Text.RegularExpressions;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>etcdctl watch from a revision, against Tube and against a real etcd: puts, a delete, a transaction and
/// the delete a revoked lease causes arrive in the same order with the same text.</summary>
[Collection(EtcdCollection.Name)]
public sealed partial class WatchCompareTests(TubeEtcdCluster tube, RealEtcd etcd)
{
    private const string Last = "DELETE\nwatch/leased\n\n";

    [Fact]
    public async Task EtcdctlWatchPrintsTheSameForTubeAsForEtcd()
    {
        string real = etcd.RequireAddress();
        string atEtcd = await WatchScriptAsync(real);
        string atTube = await WatchScriptAsync(tube.Address);
        Assert.Equal(atEtcd, atTube);
        Assert.Equal(
            "PUT\nwatch/a\n1\nPUT\nwatch/b\n2\nDELETE\nwatch/a\n\nPUT\nwatch/b\n3\nPUT\nwatch/leased\nv\n" + Last, atTube);
    }

    private static async Task<string> WatchScriptAsync(string at)
    {
        string put = await Etcdctl.OkAsync(at, "put", "watch/start", "s", "-w", "json");
        long revision = long.Parse(HeaderRevision().Match(put).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await using var watcher = new Watcher(at, "watch/", "--prefix", $"--rev={revision + 1}");
        await Etcdctl.OkAsync(at, "put", "watch/a", "1");
        await Etcdctl.OkAsync(at, "put", "watch/b", "2");
        await Etcdctl.OkAsync(at, "del", "watch/a");
        var txn = await Etcdctl.RunAsync(at, ["txn"], "version(\"watch/b\") > \"0\"\n\nput watch/b 3\n\n\n");
        Assert.True(txn.ExitCode == 0, txn.Stderr);
        await Etcdctl.OkAsync(at, "put", "elsewhere", "not watched");
        string lease = LeaseId().Match(await Etcdctl.OkAsync(at, "lease", "grant", "60")).Groups[1].Value;
        await Etcdctl.OkAsync(at, "put", "watch/leased", "v", $"--lease={lease}");
        await Etcdctl.OkAsync(at, "lease", "revoke", lease);
        return await watcher.WaitForAsync(Last);
    }

    [GeneratedRegex(@"""revision"":(\d+)")]
    private static partial Regex HeaderRevision();

    [GeneratedRegex("lease ([0-9a-f]{16}) granted")]
    private static partial Regex LeaseId();
}
