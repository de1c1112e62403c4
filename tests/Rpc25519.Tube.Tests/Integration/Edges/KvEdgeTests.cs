using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>The KV store's edges as a TubeClient caller meets them on a running SimNet cluster: sizes, names, ranges,
/// limits and table operations. Every refusal is typed, and the same client's next request still works.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class KvEdgeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[] b) => Encoding.UTF8.GetString(b);

    [Fact]
    public void ValuesUpToTheDefaultLimitAreStoredAndOneByteMoreIsRefused()
    {
        EdgeCluster.Run(seed: 31, async (cluster, client) =>
        {
            const int limit = 1024 * 1024;
            KvItem exact = await client.PutAsync("t", B("big"), new byte[limit]);
            Assert.Equal(1, exact.Version);
            KvItem? read = await client.GetAsync("t", B("big"));
            Assert.Equal(limit, read!.Value!.Length);

            var tooLarge = await Assert.ThrowsAsync<ValueTooLargeException>(
                () => client.PutAsync("t", B("big"), new byte[limit + 1]));
            Assert.Equal(TubeErrorCode.ValueTooLarge, tooLarge.ErrorCode);
            Assert.Contains($"{limit + 1}", tooLarge.Message);
            await Assert.ThrowsAsync<ValueTooLargeException>(
                () => client.CompareAndSwapAsync("t", B("big"), new byte[limit + 1], expectedVersion: 1));

            // The refusal changed nothing, and the client goes on.
            Assert.Equal(1, (await client.GetAsync("t", B("big")))!.Version);
            Assert.Equal(2, (await client.PutAsync("t", B("big"), B("small"))).Version);
        });
    }

    [Fact]
    public void AValueTooLargeForOneFrameIsRefusedAtOnceNotRetriedUntilTheDeadline()
    {
        EdgeCluster.Run(seed: 38, async (cluster, client) =>
        {
            await client.OpenSessionAsync();
            DateTimeOffset start = cluster.ClientNode.TimeProvider.GetUtcNow();
            var refused = await Assert.ThrowsAsync<ValueTooLargeException>(
                () => client.PutAsync("t", B("k"), new byte[RpcOptions.DefaultMaxFrameBytes + 1]));
            Assert.Equal(TimeSpan.Zero, cluster.ClientNode.TimeProvider.GetUtcNow() - start);
            Assert.Contains("MaxFrameBytes", refused.Message);
            Assert.Equal(1, (await client.PutAsync("t", B("k"), B("v"))).Version);
        });
    }

    [Fact]
    public void AConfiguredValueLimitIsHonouredExactly()
    {
        var options = new StateMachineOptions { MaxValueBytes = 1000, MaxKeyBytes = 16 };
        EdgeCluster.Run(seed: 32, async (cluster, client) =>
        {
            Assert.Equal(1, (await client.PutAsync("t", B("k"), new byte[1000])).Version);
            var refused = await Assert.ThrowsAsync<ValueTooLargeException>(
                () => client.PutAsync("t", B("k"), new byte[1001]));
            Assert.Contains("1000-byte limit", refused.Message);
            Assert.Equal(1, (await client.PutAsync("t", new byte[16], B("v"))).Version);
            await Assert.ThrowsAsync<ValueTooLargeException>(() => client.PutAsync("t", new byte[17], B("v")));
            Assert.Equal(2, (await client.PutAsync("t", B("k"), B("v"))).Version);
        }, () => StateMachineSet.WithKv(options));
    }

    [Fact]
    public void EmptyKeysAndBadTableNamesAreRefusedOneRequestAtATime()
    {
        EdgeCluster.Run(seed: 33, async (cluster, client) =>
        {
            await client.PutAsync("t", B("k"), B("v"));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.PutAsync("t", [], B("v")));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.GetAsync("t", []));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.DeleteAsync("t", []));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.PutAsync("", B("k"), B("v")));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.CreateTableAsync(""));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.GetAsync("", B("k")));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.CreateTableAsync(new string('x', 257)));
            await client.CreateTableAsync(new string('x', 256));
            // A compare-and-swap needs at least one condition.
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.CompareAndSwapAsync("t", B("k"), B("w")));

            Assert.Equal("v", S((await client.GetAsync("t", B("k")))!.Value!));
            Assert.Equal(2, (await client.PutAsync("t", B("k"), B("w"))).Version);
        });
    }

    [Fact]
    public void AMissingTableIsReportedByReadsAndTableOperations()
    {
        EdgeCluster.Run(seed: 34, async (cluster, client) =>
        {
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.GetAsync("nope", B("k")));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.RangeAsync("nope", [], null));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.PrefixScanAsync("nope", B("a")));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.ListKeysAsync("nope"));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.DropTableAsync("nope"));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.RenameTableAsync("nope", "other"));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.ReleaseLeaseAsync("nope", B("k")));
            Assert.Empty(await client.ListTablesAsync());
            // A write creates its table.
            Assert.Equal(1, (await client.PutAsync("nope", B("k"), B("v"))).Version);
            Assert.Equal(["nope"], await client.ListTablesAsync());
        });
    }

    [Fact]
    public void TablesAreCreatedListedRenamedAndDropped()
    {
        EdgeCluster.Run(seed: 35, async (cluster, client) =>
        {
            await client.CreateTableAsync("b");
            await client.CreateTableAsync("a");
            await Assert.ThrowsAsync<TableExistsException>(() => client.CreateTableAsync("a"));
            await client.PutAsync("a", B("k"), B("from a"));
            Assert.Equal(["a", "b"], await client.ListTablesAsync());

            // A rename onto an existing table is refused and changes neither.
            await Assert.ThrowsAsync<TableExistsException>(() => client.RenameTableAsync("a", "b"));
            Assert.Equal("from a", S((await client.GetAsync("a", B("k")))!.Value!));
            Assert.Null(await client.GetAsync("b", B("k")));

            await client.RenameTableAsync("a", "c");
            Assert.Equal(["b", "c"], await client.ListTablesAsync());
            KvItem moved = (await client.GetAsync("c", B("k")))!;
            Assert.Equal("from a", S(moved.Value!));
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.GetAsync("a", B("k")));

            await client.DropTableAsync("c");
            Assert.Equal(["b"], await client.ListTablesAsync());
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.GetAsync("c", B("k")));
        });
    }

    [Fact]
    public void EveryKeyCarriesItsVersionAndTheIndexesThatWroteIt()
    {
        EdgeCluster.Run(seed: 36, async (cluster, client) =>
        {
            // Version 0 means "must be absent": a create-if-absent, refused once the key exists.
            KvItem created = await client.CompareAndSwapAsync("t", B("k"), B("1"), expectedVersion: 0);
            Assert.Equal(1, created.Version);
            Assert.Equal(created.CreateIndex, created.ModifyIndex);
            var exists = await Assert.ThrowsAsync<CasMismatchException>(
                () => client.CompareAndSwapAsync("t", B("k"), B("x"), expectedVersion: 0));
            Assert.Equal(1, exists.Current!.Version);

            KvItem second = await client.PutAsync("t", B("k"), B("2"));
            Assert.Equal(2, second.Version);
            Assert.Equal(created.CreateIndex, second.CreateIndex);
            Assert.True(second.ModifyIndex > created.ModifyIndex);

            KvItem swapped = await client.CompareAndSwapAsync("t", B("k"), B("3"), expectedValue: B("2"));
            Assert.Equal(3, swapped.Version);
            await Assert.ThrowsAsync<CasMismatchException>(
                () => client.CompareAndSwapAsync("t", B("k"), B("4"), expectedValue: B("2")));
            await Assert.ThrowsAsync<CasMismatchException>(
                () => client.CompareAndSwapAsync("t", B("absent"), B("4"), expectedValue: []));

            KvItem? read = await client.GetAsync("t", B("k"));
            Assert.Equal((3, swapped.ModifyIndex, created.CreateIndex), (read!.Version, read.ModifyIndex, read.CreateIndex));

            await Assert.ThrowsAsync<CasMismatchException>(() => client.DeleteAsync("t", B("k"), expectedVersion: 2));
            KvItem? deleted = await client.DeleteAsync("t", B("k"), expectedVersion: 3);
            Assert.Equal("3", S(deleted!.Value!));
            Assert.Null(await client.DeleteAsync("t", B("k")));
            KvItem again = await client.PutAsync("t", B("k"), B("new"));
            Assert.Equal(1, again.Version);
            Assert.True(again.CreateIndex > created.CreateIndex);
        });
    }

    [Fact]
    public void RangesPrefixesAndKeyListsHonourOrderEndAndLimit()
    {
        EdgeCluster.Run(seed: 37, async (cluster, client) =>
        {
            foreach (string key in new[] { "a", "b", "b1", "b2", "c", "d" })
            {
                await client.PutAsync("t", B(key), B("v" + key));
            }

            static string Keys(KvResult r) => string.Join(",", r.Items!.Select(i => S(i.Key)));
            Assert.Equal("b,b1,b2,c", Keys(await client.RangeAsync("t", B("b"), B("d"))));
            Assert.Equal("c,b2,b1,b", Keys(await client.RangeAsync("t", B("b"), B("d"), descending: true)));
            KvResult top = await client.RangeAsync("t", B("b"), B("d"), limit: 2, descending: true);
            Assert.Equal(("c,b2", true), (Keys(top), top.More));
            KvResult first = await client.RangeAsync("t", [], null, limit: 2);
            Assert.Equal(("a,b", true), (Keys(first), first.More));
            KvResult all = await client.RangeAsync("t", [], null, limit: 0);
            Assert.Equal(("a,b,b1,b2,c,d", false), (Keys(all), all.More));
            KvResult exactLimit = await client.RangeAsync("t", B("c"), null, limit: 2);
            Assert.Equal(("c,d", false), (Keys(exactLimit), exactLimit.More));

            // An end at or before the start is an empty range.
            Assert.Empty((await client.RangeAsync("t", B("d"), B("b"))).Items!);
            Assert.Empty((await client.RangeAsync("t", B("d"), B("b"), descending: true)).Items!);
            Assert.Empty((await client.RangeAsync("t", B("b"), B("b"))).Items!);

            Assert.Equal("b,b1,b2", Keys(await client.PrefixScanAsync("t", B("b"))));
            Assert.Equal("b2,b1", Keys(await client.PrefixScanAsync("t", B("b"), limit: 2, descending: true)));
            Assert.Equal("a,b,b1,b2,c,d", Keys(await client.PrefixScanAsync("t", [])));
            Assert.Empty((await client.PrefixScanAsync("t", B("z"))).Items!);

            KvResult keys = await client.ListKeysAsync("t", B("b"), limit: 2);
            Assert.Equal(("b,b1", true), (string.Join(",", keys.Keys!.Select(S)), keys.More));
            Assert.Equal(6, (await client.ListKeysAsync("t")).Keys!.Count);

            await Assert.ThrowsAsync<InvalidCommandException>(() => client.RangeAsync("t", [], null, limit: -1));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.PrefixScanAsync("t", B("b"), limit: -1));
            await Assert.ThrowsAsync<InvalidCommandException>(() => client.ListKeysAsync("t", limit: int.MinValue));
            Assert.Equal(6, (await client.RangeAsync("t", [], null)).Items!.Count);
        });
    }
}
