using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace Rpc25519.Tube.Etcd.Tests;

/// <summary>Bad settings and the key-range mapping.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdEndpointOptionsTests(TubeEtcdCluster tube)
{
    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData(":2379")]
    [InlineData("127.0.0.1:port")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("example.org:2379")]
    public void ABadListenAddressIsRefusedWithAnExample(string address)
    {
        var e = Assert.Throws<ArgumentException>(() => new EtcdEndpointOptions { ListenAddress = address }.Validate());
        Assert.Contains("127.0.0.1", e.Message);
    }

    [Fact]
    public void GoodListenAddressesParse()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2379), EtcdEndpoint.ParseListenAddress("localhost:2379"));
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 0), EtcdEndpoint.ParseListenAddress("[::1]:0"));
    }

    [Fact]
    public void AnEmptyTableOrATooShortMinimumTtlIsRefused()
    {
        Assert.Contains("Table", Assert.Throws<ArgumentException>(() => new EtcdEndpointOptions { Table = "" }.Validate()).Message);
        Assert.Contains("MinLeaseTtl", Assert.Throws<ArgumentException>(
            () => new EtcdEndpointOptions { MinLeaseTtl = TimeSpan.FromMilliseconds(500) }.Validate()).Message);
    }

    [Fact]
    public async Task APortInUseIsAnIOExceptionThatNamesTheAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        string address = taken.LocalEndpoint.ToString()!;
        var e = await Assert.ThrowsAsync<IOException>(() =>
            EtcdEndpoint.StartAsync(tube.Client, new EtcdEndpointOptions { ListenAddress = address }));
        Assert.Contains(address, e.Message);
    }

    [Fact]
    public void EtcdRangesBecomeTubeRanges()
    {
        var (key, end) = EtcdMapping.Range(ByteString.CopyFromUtf8("k"), ByteString.Empty);
        Assert.Equal("k"u8.ToArray(), key);
        Assert.Equal("k\0"u8.ToArray(), end);
        Assert.Null(EtcdMapping.Range(ByteString.CopyFromUtf8("k"), ByteString.CopyFrom(0)).EndKey);
        Assert.Equal("l"u8.ToArray(), EtcdMapping.Range(ByteString.CopyFromUtf8("k"), ByteString.CopyFromUtf8("l")).EndKey);
        var e = Assert.Throws<Grpc.Core.RpcException>(() => EtcdMapping.Range(ByteString.Empty, ByteString.Empty));
        Assert.Equal("etcdserver: key is not provided", e.Status.Detail);
    }
}
