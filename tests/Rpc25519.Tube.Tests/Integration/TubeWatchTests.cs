using System.Buffers.Binary;
using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Ledger;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Watches on the whole stack (TubeClient → RPC → replicas' change feeds) on SimNet.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeWatchTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(byte[]? b) => b is null ? "" : Encoding.UTF8.GetString(b);

    [Fact]
    public void WatchSeesPutsDeletesAndCasInOrderWithIndexes()
    {
        var cluster = new SimTubeCluster(seed: 31);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            var key = new WatchCollector(cluster, watchClient, "t", "k", 1, prefix: false);
            var under = new WatchCollector(cluster, watchClient, "t", "a/", 1, prefix: true);

            KvItem p1 = await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v1")));
            KvItem ax = await cluster.OnClient(() => client.PutAsync("t", B("a/x"), B("x1")));
            await cluster.OnClient(() => client.PutAsync("t", B("b"), B("not watched")));
            await cluster.OnClient(() => client.PutAsync("t", B("kk"), B("not the key")));
            KvItem cas = await cluster.OnClient(() => client.CompareAndSwapAsync("t", B("k"), B("v2"),
                expectedVersion: p1.Version));
            KvItem ay = await cluster.OnClient(() => client.PutAsync("t", B("a/y"), B("y1")));
            await cluster.OnClient(() => client.DeleteAsync("t", B("k")));
            KvItem p3 = await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v3")));

            await key.WaitForAsync(cluster, seen => seen.Count(c => c.Key.Length > 0) >= 4);
            await under.WaitForAsync(cluster, seen => seen.Count(c => c.Key.Length > 0) >= 2);

            List<ChangeEvent> k = key.KeyChanges;
            Assert.Equal([ChangeKind.Put, ChangeKind.Put, ChangeKind.Delete, ChangeKind.Put], k.Select(c => c.Kind));
            Assert.Equal([1L, 2L, 0L, 1L], k.Select(c => c.Version));
            Assert.Equal(["v1", "v2", "", "v3"], k.Select(c => S(c.Value)));
            Assert.Equal(p1.ModifyIndex, k[0].Index);
            Assert.Equal(cas.ModifyIndex, k[1].Index);
            Assert.Equal(p3.ModifyIndex, k[3].Index);
            Assert.True(k[1].Index < k[2].Index && k[2].Index < k[3].Index, "changes come in log order");
            Assert.All(k, c => Assert.Equal("k", S(c.Key)));

            List<ChangeEvent> a = under.KeyChanges;
            Assert.Equal(["a/x", "a/y"], a.Select(c => S(c.Key)));
            Assert.Equal([ax.ModifyIndex, ay.ModifyIndex], a.Select(c => c.Index));

            // The table's creation (by the first put) is reported to every watcher of the table, first.
            Assert.Equal(ChangeKind.TableCreated, key.Seen[0].Kind);
            Assert.Equal(ChangeKind.TableCreated, under.Seen[0].Kind);

            await key.StopAsync();
            await under.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void ResumeFromAnIndexReturnsExactlyTheMissedChanges()
    {
        var cluster = new SimTubeCluster(seed: 32);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            var indexes = new List<long>();
            for (int i = 0; i < 10; i++)
            {
                KvItem put = await cluster.OnClient(() => client.PutAsync("t", B("p/" + i), B("v" + i)));
                indexes.Add(put.ModifyIndex);
            }

            // A watcher that saw up to the 4th write resumes after it: exactly the 5th to the 10th.
            var resumed = new WatchCollector(cluster, client, "t", "p/", indexes[3] + 1, prefix: true);
            await resumed.WaitForAsync(cluster, seen => seen.Count >= 6);
            KvItem more = await cluster.OnClient(() => client.PutAsync("t", B("p/10"), B("v10")));
            await resumed.WaitForAsync(cluster, seen => seen.Count >= 7);
            Assert.Equal([.. indexes.Skip(4), more.ModifyIndex], resumed.Seen.Select(c => c.Index));
            Assert.Equal(Enumerable.Range(4, 7).Select(i => "p/" + i), resumed.Seen.Select(c => S(c.Key)));
            await resumed.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void WatcherOfACrashedMemberResumesOnAnotherWithoutGapsOrDuplicates()
    {
        var cluster = new SimTubeCluster(seed: 33);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient writer = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            await cluster.OnClient(() => writer.CreateTableAsync("t")); // its creation is not a key change
            KvItem first = await cluster.OnClient(() => writer.PutAsync("t", B("w/0"), B("0")));
            var watcher = new WatchCollector(cluster, watchClient, "t", "w/", first.ModifyIndex, prefix: true);
            var expected = new List<long> { first.ModifyIndex };
            for (int i = 1; i < 5; i++)
            {
                expected.Add((await cluster.OnClient(() => writer.PutAsync("t", B("w/" + i), B("" + i)))).ModifyIndex);
            }

            await watcher.WaitForAsync(cluster, seen => seen.Count >= 5);
            string serving = watchClient.ConnectedTo ?? throw new InvalidOperationException("the watcher is not connected");
            int crashed = cluster.Members.Values.ToList().FindIndex(a => serving.Contains(a, StringComparison.Ordinal));
            Assert.True(crashed >= 0, $"unknown member {serving}");
            cluster.Crash(crashed, tear: true);

            await cluster.WaitForLeaderAsync();
            for (int i = 5; i < 10; i++)
            {
                expected.Add((await cluster.OnClient(() => writer.PutAsync("t", B("w/" + i), B("" + i)))).ModifyIndex);
            }

            await watcher.WaitForAsync(cluster, seen => seen.Count >= 10);
            Assert.Equal(expected, watcher.Seen.Select(c => c.Index));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => "w/" + i), watcher.Seen.Select(c => S(c.Key)));
            Assert.DoesNotContain(serving, watchClient.ConnectedTo ?? "");
            await watcher.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void CompactedStartIndexGivesTheTypedErrorAndTheResyncIndex()
    {
        var cluster = new SimTubeCluster(seed: 34)
        {
            CreateStateMachines = () => StateMachineSet.WithKv(new StateMachineOptions { ChangeFeedMaxEvents = 16 }),
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            KvItem last = null!;
            for (int i = 0; i < 40; i++)
            {
                last = await cluster.OnClient(() => client.PutAsync("t", B("c/" + i), B("v")));
            }

            ChangeFeedCompactedException error = await cluster.OnClient(() =>
                Assert.ThrowsAsync<ChangeFeedCompactedException>(async () =>
                {
                    await foreach (ChangeEvent change in client.WatchAsync("t", B("c/"), 1, prefix: true))
                    {
                        Assert.Fail($"a compacted watch delivered index {change.Index}");
                    }
                }));
            Assert.Equal(1, error.RequestedIndex);
            Assert.True(error.OldestAvailableIndex > 1, $"oldest {error.OldestAvailableIndex}");
            Assert.True(error.ResyncIndex >= last.ModifyIndex, $"resync {error.ResyncIndex} < {last.ModifyIndex}");
            Assert.Contains("resync", error.Message, StringComparison.Ordinal);

            // Resync as told: read the state, then watch from ResyncIndex + 1.
            KvResult state = await cluster.OnClient(() => client.PrefixScanAsync("t", B("c/")));
            Assert.Equal(40, state.Items?.Count);
            var watcher = new WatchCollector(cluster, client, "t", "c/", error.ResyncIndex + 1, prefix: true);
            KvItem next = await cluster.OnClient(() => client.PutAsync("t", B("c/40"), B("v")));
            await watcher.WaitForAsync(cluster, seen => seen.Count >= 1);
            Assert.Equal([next.ModifyIndex], watcher.Seen.Where(c => c.Index > last.ModifyIndex).Select(c => c.Index));
            await watcher.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void MemberRestartedFromASnapshotSendsTheWatcherToAMemberThatStillHasTheChanges()
    {
        var cluster = new SimTubeCluster(seed: 36) { SnapshotEveryEntries = 20 };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.CreateTableAsync("t"));
            var indexes = new List<long>();
            for (int i = 0; i < 40; i++)
            {
                indexes.Add((await cluster.OnClient(() => client.PutAsync("t", B($"r/{i:00}"), B("v")))).ModifyIndex);
            }

            // Member 1 restarts: it restores its snapshot, and its feed starts after the snapshot's index.
            await cluster.WaitForConvergenceAsync();
            cluster.Crash(0, tear: false);
            await cluster.RestartAsync(0);
            await cluster.WaitForLeaderAsync();
            await cluster.WaitForConvergenceAsync();

            // A new client asks member 1 first; it answers "compacted", and the client goes on to another member.
            await using TubeClient watchClient = await cluster.NewClientAsync();
            var watcher = new WatchCollector(cluster, watchClient, "t", "r/", indexes[0], prefix: true);
            await watcher.WaitForAsync(cluster, seen => seen.Count >= 40);
            Assert.Equal(indexes, watcher.Seen.Select(c => c.Index));
            Assert.DoesNotContain(cluster.Members[1], watchClient.ConnectedTo ?? "");
            await watcher.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void ReplicaHoldsAtMostMaxWatchersAndSendsTheRestElsewhere()
    {
        var cluster = new SimTubeCluster(seed: 37) { ConfigureReplica = o => o.MaxWatchers = 1 };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            KvItem start = await cluster.OnClient(() => client.PutAsync("t", B("m/0"), B("v")));

            // Both watch clients try member 1 first; it holds one watch call at most.
            await using TubeClient first = await cluster.NewClientAsync();
            await using TubeClient second = await cluster.NewClientAsync();
            var a = new WatchCollector(cluster, first, "t", "m/", start.ModifyIndex + 1, prefix: true);
            var b = new WatchCollector(cluster, second, "t", "m/", start.ModifyIndex + 1, prefix: true);
            for (int i = 0; i < 20; i++)
            {
                for (int r = 0; r < cluster.Nodes.Length; r++)
                {
                    Assert.True((await cluster.Replica(r)!.GetWatchStatsAsync()).Parked <= 1);
                }

                await cluster.DelayAsync(cluster.Tick * 3);
            }

            Assert.NotEqual(first.ConnectedTo, second.ConnectedTo);
            KvItem next = await cluster.OnClient(() => client.PutAsync("t", B("m/1"), B("v")));
            await a.WaitForAsync(cluster, seen => seen.Count >= 1);
            await b.WaitForAsync(cluster, seen => seen.Count >= 1);
            Assert.Equal([next.ModifyIndex], a.Seen.Select(c => c.Index));
            Assert.Equal([next.ModifyIndex], b.Seen.Select(c => c.Index));
            await a.StopAsync();
            await b.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void PagesAreCutByBytesBetweenLogIndexes()
    {
        var cluster = new SimTubeCluster(seed: 38) { ConfigureReplica = o => o.WatchPageMaxBytes = 1 };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            var indexes = new List<long>();
            for (int i = 0; i < 10; i++)
            {
                indexes.Add((await cluster.OnClient(() => client.PutAsync("t", B($"z/{i}"), B("v")))).ModifyIndex);
            }

            // The first put also created the table: two changes at one index, which a page never splits.
            var watcher = new WatchCollector(cluster, client, "t", "z/", indexes[0], prefix: true);
            await watcher.WaitForAsync(cluster, seen => seen.Count >= 11);
            Assert.Equal([indexes[0], .. indexes], watcher.Seen.Select(c => c.Index));
            Assert.Equal(ChangeKind.TableCreated, watcher.Seen[0].Kind);
            int largest = 0;
            for (int r = 0; r < cluster.Nodes.Length; r++)
            {
                largest = Math.Max(largest, (await cluster.Replica(r)!.GetWatchStatsAsync()).LargestPage);
            }

            Assert.Equal(2, largest); // one index per page: the two changes of the first, then one each
            await watcher.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void SlowWatcherIsBoundedByOnePageAndLosesNothing()
    {
        const int pageMax = 8;
        var cluster = new SimTubeCluster(seed: 35) { ConfigureReplica = o => o.WatchPageMaxChanges = pageMax };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.CreateTableAsync("t")); // its creation is not a key change
            KvItem first = await cluster.OnClient(() => client.PutAsync("t", B("s/000"), B("v")));
            var expected = new List<long> { first.ModifyIndex };
            IAsyncEnumerator<ChangeEvent> slow = watchClient.WatchAsync("t", B("s/"), first.ModifyIndex, prefix: true)
                .GetAsyncEnumerator();
            Assert.True(await cluster.OnClient(() => slow.MoveNextAsync().AsTask()));
            var seen = new List<ChangeEvent> { slow.Current };

            // The watcher stops reading while 60 more changes are applied.
            for (int i = 1; i <= 60; i++)
            {
                expected.Add((await cluster.OnClient(() => client.PutAsync("t", B($"s/{i:000}"), B("v")))).ModifyIndex);
            }

            await cluster.WaitForConvergenceAsync();
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                (int parked, int largest) = await cluster.Replica(i)!.GetWatchStatsAsync();
                Assert.Equal(0, parked); // a watcher that does not ask holds nothing on any replica
                Assert.True(largest <= pageMax, $"replica {i + 1} sent a page of {largest} changes");
            }

            // It reads again and gets every change, in order, one bounded page at a time.
            while (seen.Count < expected.Count)
            {
                Assert.True(await cluster.OnClient(() => slow.MoveNextAsync().AsTask()));
                seen.Add(slow.Current);
            }

            Assert.Equal(expected, seen.Select(c => c.Index));
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                Assert.True((await cluster.Replica(i)!.GetWatchStatsAsync()).LargestPage <= pageMax);
            }

            await cluster.OnClient(async () =>
            {
                await slow.DisposeAsync();
                return 0;
            });
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A user state machine is watched by its registered name: the bank ledger records each account's new
    /// balance, and a watcher of the ledger's accounts sees every change in log order, with the balances the
    /// transfers left, while a watcher of one account sees only that account.</summary>
    [Fact]
    public void AUserMachineIsWatchedByName()
    {
        var cluster = new SimTubeCluster(seed: 41)
        {
            CreateStateMachines = SimTubeCluster.KvAndLedger,
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            var all = new WatchCollector(cluster, watchClient, BankLedger.DefaultName, "", 1, prefix: true,
                machine: BankLedger.DefaultName);
            var bob = new WatchCollector(cluster, watchClient, BankLedger.DefaultName, "bob", 1, prefix: false,
                machine: BankLedger.DefaultName);
            var kv = new WatchCollector(cluster, watchClient, BankLedger.DefaultName, "", 1, prefix: true);

            Task<LedgerReply> Run(LedgerOperation operation, string account, long amount, string? to = null) =>
                cluster.OnClient(() => client.ExecuteAsync<LedgerCommand, LedgerReply>(BankLedger.DefaultName,
                    new LedgerCommand { Operation = operation, Account = account, ToAccount = to, Amount = amount }));
            await Run(LedgerOperation.OpenAccount, "alice", 100);
            await Run(LedgerOperation.OpenAccount, "bob", 0);
            await Run(LedgerOperation.Transfer, "alice", 30, "bob");
            await Run(LedgerOperation.Transfer, "bob", 5, "alice");

            await all.WaitForAsync(cluster, seen => seen.Count >= 6);
            await bob.WaitForAsync(cluster, seen => seen.Count >= 3);
            List<ChangeEvent> seenAll = all.Seen;
            Assert.Equal(["alice=100", "bob=0", "alice=70", "bob=30", "bob=25", "alice=75"],
                seenAll.Select(c => $"{S(c.Key)}={BinaryPrimitives.ReadInt64BigEndian(c.Value)}"));
            Assert.All(seenAll, c => Assert.Equal(BankLedger.DefaultName, c.Machine));
            Assert.True(seenAll.Zip(seenAll.Skip(1)).All(p => p.First.Index <= p.Second.Index), "not in log order");
            Assert.Equal([0L, 30, 25], bob.Seen.Select(c => BinaryPrimitives.ReadInt64BigEndian(c.Value)));
            // The same table name under the key/value machine is another feed: nothing of the ledger shows there.
            Assert.Empty(kv.Seen);
            await all.StopAsync();
            await bob.StopAsync();
            await kv.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>Watching a machine that no replica registered is refused with the names that exist, instead of
    /// waiting forever for changes that cannot come.</summary>
    [Fact]
    public void WatchingAnUnregisteredMachineIsRefused()
    {
        var cluster = new SimTubeCluster(seed: 42);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            var refused = await cluster.OnClient(() => Assert.ThrowsAsync<UnknownStateMachineException>(async () =>
            {
                await foreach (ChangeEvent change in client.WatchMachineAsync("nope", "t", B("k"), 1))
                {
                    Assert.Fail($"a change came from an unregistered machine: {change.Index}");
                }
            }));
            Assert.Contains("kv", refused.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentException>(() => cluster.OnClient(async () =>
            {
                await foreach (ChangeEvent change in client.WatchMachineAsync("", "t", B("k"), 1))
                {
                    Assert.Fail($"a change came for an empty machine name: {change.Index}");
                }
            }));
            await cluster.StopAllAsync();
        });
    }
}
