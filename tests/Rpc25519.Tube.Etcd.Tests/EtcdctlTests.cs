namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>Debian's real etcdctl against Tube's etcd endpoint.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdctlTests(TubeEtcdCluster tube)
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
}
