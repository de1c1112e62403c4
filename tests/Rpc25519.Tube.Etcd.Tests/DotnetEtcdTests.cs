using System.Collections.Concurrent;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Rpc25519.Tube.Etcd.Tests;

using RpcException = Grpc.Core.RpcException;

/// <summary>The dotnet-etcd NuGet client (its own generated gRPC code) against Tube's etcd endpoint.</summary>
[Collection(EtcdCollection.Name)]
public sealed class DotnetEtcdTests(TubeEtcdCluster tube) : IDisposable
{
    private readonly EtcdClient client = new("http://" + tube.Address);

    public void Dispose() => client.Dispose();

    private static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    [Fact]
    public async Task PutGetDeleteAndPrefixes()
    {
        var put = await client.PutAsync("dn/a", "1");
        Assert.True(put.Header.Revision > 0);
        await client.PutAsync("dn/b", "2");
        Assert.Equal("1", await client.GetValAsync("dn/a"));
        var got = await client.GetAsync("dn/a");
        var kv = Assert.Single(got.Kvs);
        Assert.Equal((1L, put.Header.Revision, put.Header.Revision), (kv.Version, kv.CreateRevision, kv.ModRevision));
        Assert.True(got.Header.Revision >= put.Header.Revision);

        var range = await client.GetRangeValAsync("dn/");
        Assert.Equal(["dn/a", "dn/b"], range.Keys.Order());
        await client.DeleteAsync("dn/a");
        Assert.Equal("", await client.GetValAsync("dn/a"));
        var deleted = await client.DeleteRangeAsync("dn/");
        Assert.Equal(1, deleted.Deleted);
    }

    [Fact]
    public async Task TransactionsCompareAndChooseABranch()
    {
        await client.PutAsync("dn-txn/k", "v1");
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare
        {
            Key = B("dn-txn/k"), Target = Compare.Types.CompareTarget.Value,
            Result = Compare.Types.CompareResult.Equal, Value = B("v1"),
        });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B("dn-txn/k"), Value = B("v2"), PrevKv = true } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = B("dn-txn/k") } });

        var first = await client.TransactionAsync(txn);
        Assert.True(first.Succeeded);
        Assert.Equal("v1", first.Responses[0].ResponsePut.PrevKv.Value.ToStringUtf8());
        var second = await client.TransactionAsync(txn);
        Assert.False(second.Succeeded);
        Assert.Equal("v2", second.Responses[0].ResponseRange.Kvs[0].Value.ToStringUtf8());

        var nested = new TxnRequest();
        nested.Success.Add(new RequestOp { RequestTxn = new TxnRequest() });
        var e = await Assert.ThrowsAsync<RpcException>(() => client.TransactionAsync(nested));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task LeasesGrantKeepAliveTimeToLiveAndRevoke()
    {
        var lease = await client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 30 });
        Assert.Equal(30, lease.TTL);
        await client.PutAsync(new PutRequest { Key = B("dn-lease/k"), Value = B("v"), Lease = lease.ID });

        var answers = new ConcurrentQueue<LeaseKeepAliveResponse>();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            Task keepAlive = client.LeaseKeepAlive(new LeaseKeepAliveRequest { ID = lease.ID },
                r => answers.Enqueue(r), stop.Token, null!);
            await keepAlive;
        }

        var answer = Assert.Single(answers);
        Assert.Equal((lease.ID, 30L), (answer.ID, answer.TTL));

        var ttl = await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID, Keys = true });
        Assert.Equal(30, ttl.GrantedTTL);
        Assert.InRange(ttl.TTL, 1, 30);
        Assert.Equal("dn-lease/k", Assert.Single(ttl.Keys).ToStringUtf8());

        await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID });
        Assert.Empty((await client.GetAsync("dn-lease/k")).Kvs);
        var e = await Assert.ThrowsAsync<RpcException>(() => client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease.ID }));
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (e.StatusCode, e.Status.Detail));
        Assert.Equal(-1, (await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease.ID })).TTL);

        var chosen = await Assert.ThrowsAsync<RpcException>(() => client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 5, ID = 42 }));
        Assert.Equal(StatusCode.InvalidArgument, chosen.StatusCode);
    }

    [Fact]
    public async Task AWatchSeesPutsAndDeletesFromARevision()
    {
        var start = await client.PutAsync("dn-watch/start", "s");
        var events = new ConcurrentQueue<Mvccpb.Event>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var request = new WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = B("dn-watch/"), RangeEnd = B("dn-watch0"), StartRevision = start.Header.Revision + 1,
            },
        };
        Task watching = client.WatchAsync(request, (WatchResponse r) =>
        {
            foreach (var e in r.Events)
            {
                events.Enqueue(e);
            }
        }, null!, null, stop.Token);
        var put = await client.PutAsync("dn-watch/a", "1");
        await client.PutAsync("dn-watch/a", "2");
        await client.DeleteAsync("dn-watch/a");

        while (events.Count < 3)
        {
            Assert.False(stop.IsCancellationRequested, $"the watch delivered {events.Count} of 3 events in 20 s");
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        try
        {
            await watching;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
            // Ended by the test.
        }

        var seen = events.ToArray();
        Assert.Equal(
            [(Mvccpb.Event.Types.EventType.Put, "1", 1L), (Mvccpb.Event.Types.EventType.Put, "2", 2L), (Mvccpb.Event.Types.EventType.Delete, "", 0L)],
            seen.Select(e => (e.Type, e.Kv.Value.ToStringUtf8(), e.Kv.Version)));
        Assert.Equal(put.Header.Revision, seen[0].Kv.ModRevision);
        Assert.Equal(put.Header.Revision, seen[0].Kv.CreateRevision);
        Assert.True(seen[1].Kv.ModRevision > seen[0].Kv.ModRevision);
    }
}
