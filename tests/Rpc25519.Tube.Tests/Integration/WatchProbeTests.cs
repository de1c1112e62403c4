using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>What a hostile caller of <see cref="TubeClient.WatchAsync"/> tries: tables that do not exist, start
/// indexes out of range, a key whose siblings flood the feed, a watcher that falls behind mid-stream, and cancelling
/// a held call.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class WatchProbeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A table that does not exist yet is not an error (a watch may start before the writer): the watch
    /// waits, quietly, and reports the table's creation and the first put when they come.</summary>
    [Fact]
    public void WatchOfAMissingTableWaitsForItsCreation()
    {
        var cluster = new SimTubeCluster(seed: 51);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            var watcher = new WatchCollector(cluster, watchClient, "later", "", 1, prefix: true);
            await cluster.DelayAsync(TimeSpan.FromSeconds(2));
            Assert.False(watcher.Failure.IsCompleted, "the watch of a missing table ended");
            Assert.Empty(watcher.Seen);

            KvItem put = await cluster.OnClient(() => client.PutAsync("later", B("k"), B("v")));
            await watcher.WaitForAsync(cluster, seen => seen.Count >= 2);
            Assert.Equal([ChangeKind.TableCreated, ChangeKind.Put], watcher.Seen.Select(c => c.Kind));
            Assert.All(watcher.Seen, c => Assert.Equal(put.ModifyIndex, c.Index));
            await watcher.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>Indexes start at 1: 0 and negative start indexes are refused by the client with the argument's
    /// name, before any call.</summary>
    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void StartIndexBelowOneIsRefused(long fromIndex)
    {
        var cluster = new SimTubeCluster(seed: 52);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            // Refused by the call itself, before anything is enumerated.
            var refused = Assert.Throws<ArgumentOutOfRangeException>(() => client.WatchAsync("t", B("k"), fromIndex));
            Assert.Equal("fromIndex", refused.ParamName);
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A start index beyond the log waits for the log to get there and then delivers only what is at or
    /// after it; one far beyond anything (long.MaxValue) simply waits, breaks no replica, and cancels cleanly.</summary>
    [Fact]
    public void StartIndexBeyondTheLogWaitsForIt()
    {
        var cluster = new SimTubeCluster(seed: 53);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            KvItem first = await cluster.OnClient(() => client.PutAsync("t", B("f/0"), B("v")));
            long from = first.ModifyIndex + 5;
            var ahead = new WatchCollector(cluster, watchClient, "t", "f/", from, prefix: true);
            var never = new WatchCollector(cluster, watchClient, "t", "f/", long.MaxValue, prefix: true);
            var indexes = new List<long>();
            for (int i = 1; i <= 10; i++)
            {
                indexes.Add((await cluster.OnClient(() => client.PutAsync("t", B($"f/{i}"), B("v")))).ModifyIndex);
            }

            long[] expected = [.. indexes.Where(x => x >= from)];
            Assert.True(expected.Length is > 0 and < 10, $"the writes took indexes {string.Join(",", indexes)}");
            await ahead.WaitForAsync(cluster, seen => seen.Count >= expected.Length);
            await cluster.DelayAsync(TimeSpan.FromSeconds(1));
            Assert.Equal(expected, ahead.Seen.Select(c => c.Index));
            Assert.Empty(never.Seen);
            Assert.False(never.Failure.IsCompleted, "the watch from long.MaxValue ended");
            await ahead.StopAsync();
            await never.StopAsync();
            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A watcher of one key is not held back by many changes to keys that merely start with it: every
    /// change it needs is already applied, so it must arrive at once, not one scanned page per held wait.</summary>
    [Fact]
    public void OneKeyWatchIsNotDelayedBySiblingKeys()
    {
        var cluster = new SimTubeCluster(seed: 54)
        {
            ConfigureReplica = o =>
            {
                o.WatchPageMaxChanges = 8;
                o.IdleTickInterval = TimeSpan.FromSeconds(30); // no idle applies to wake held watches
            },
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            // A long attempt timeout: each held watch call waits up to half of it for a change.
            await using TubeClient watchClient = await cluster.NewClientAsync(TimeSpan.FromSeconds(60),
                attemptTimeout: TimeSpan.FromSeconds(20));
            KvItem start = await cluster.OnClient(() => client.PutAsync("t", B("a"), B("v")));
            for (int i = 0; i < 100; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B($"k{i:000}"), B("v")));
            }

            KvItem key = await cluster.OnClient(() => client.PutAsync("t", B("k"), B("mine")));
            await cluster.WaitForConvergenceAsync();
            DateTimeOffset began = cluster.Clock.GetUtcNow();
            var watcher = new WatchCollector(cluster, watchClient, "t", "k", start.ModifyIndex + 1, prefix: false);
            await watcher.WaitForAsync(cluster, seen => seen.Count >= 1);
            TimeSpan took = cluster.Clock.GetUtcNow() - began;
            Assert.Equal([key.ModifyIndex], watcher.Seen.Select(c => c.Index));
            Assert.True(took < TimeSpan.FromSeconds(1), $"the applied change took {took} to reach its watcher");
            await watcher.StopAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A watcher that took some changes, then stopped reading while the feed moved on past its retention,
    /// gets <see cref="ChangeFeedCompactedException"/> naming the index it asked for when it reads again (not a
    /// silent gap), and the resync index it names works.</summary>
    [Fact]
    public void WatcherThatFallsBehindTheFeedMidStreamGetsTheTypedError()
    {
        var cluster = new SimTubeCluster(seed: 55)
        {
            CreateStateMachines = () => StateMachineSet.WithKv(new StateMachineOptions { ChangeFeedMaxEvents = 16 }),
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await using TubeClient watchClient = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.CreateTableAsync("t"));
            KvItem first = await cluster.OnClient(() => client.PutAsync("t", B("s/00"), B("v")));
            IAsyncEnumerator<ChangeEvent> slow = watchClient.WatchAsync("t", B("s/"), first.ModifyIndex, prefix: true)
                .GetAsyncEnumerator();
            Assert.True(await cluster.OnClient(() => slow.MoveNextAsync().AsTask()));
            Assert.Equal(first.ModifyIndex, slow.Current.Index);

            KvItem last = null!;
            for (int i = 1; i <= 40; i++)
            {
                last = await cluster.OnClient(() => client.PutAsync("t", B($"s/{i:00}"), B("v")));
            }

            await cluster.WaitForConvergenceAsync();
            var error = await cluster.OnClient(() => Assert.ThrowsAsync<ChangeFeedCompactedException>(
                () => slow.MoveNextAsync().AsTask()));
            Assert.Equal(first.ModifyIndex + 1, error.RequestedIndex);
            Assert.True(error.ResyncIndex >= last.ModifyIndex, $"resync {error.ResyncIndex} < {last.ModifyIndex}");

            var resumed = new WatchCollector(cluster, watchClient, "t", "s/", error.ResyncIndex + 1, prefix: true);
            KvItem next = await cluster.OnClient(() => client.PutAsync("t", B("s/41"), B("v")));
            await resumed.WaitForAsync(cluster, seen => seen.Count >= 1);
            Assert.Equal([next.ModifyIndex], resumed.Seen.Select(c => c.Index));
            await resumed.StopAsync();
            await cluster.OnClient(async () =>
            {
                await slow.DisposeAsync();
                return 0;
            });
            await cluster.StopAllAsync();
        });
    }

    /// <summary>Cancelling a watch whose call is held on a replica releases that call at once, long before the
    /// wait it asked for would run out.</summary>
    [Fact]
    public void CancellingAWatchReleasesTheHeldCall()
    {
        var cluster = new SimTubeCluster(seed: 56);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            // Each held call asks to wait 10 s.
            await using TubeClient watchClient = await cluster.NewClientAsync(TimeSpan.FromSeconds(60),
                attemptTimeout: TimeSpan.FromSeconds(20));
            KvItem put = await cluster.OnClient(() => client.PutAsync("t", B("quiet"), B("v")));
            var watcher = new WatchCollector(cluster, watchClient, "t", "quiet", put.ModifyIndex + 1, prefix: false);
            await WaitForParkedAsync(cluster, expected: 1);

            await watcher.StopAsync();
            DateTimeOffset stopped = cluster.Clock.GetUtcNow();
            await WaitForParkedAsync(cluster, expected: 0);
            TimeSpan took = cluster.Clock.GetUtcNow() - stopped;
            Assert.True(took < TimeSpan.FromSeconds(1), $"the replica held a cancelled watch for {took}");
            await cluster.StopAllAsync();
        });
    }

    /// <summary>When every member already holds <see cref="Hosting.TubeReplicaOptions.MaxWatchers"/> watch calls, one
    /// more watch tries each member and then fails as unavailable, saying why (not as a quorum failure); the watches
    /// already held go on.</summary>
    [Fact]
    public void WatchWhenEveryMemberIsFullFailsAsUnavailable()
    {
        var cluster = new SimTubeCluster(seed: 57) { ConfigureReplica = o => o.MaxWatchers = 1 };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            KvItem start = await cluster.OnClient(() => client.PutAsync("t", B("m/0"), B("v")));

            // Each held call asks to wait 10 s, so the three members stay full while the fourth watch tries them.
            var holders = new List<TubeClient>();
            var watchers = new List<WatchCollector>();
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                TubeClient holder = await cluster.NewClientAsync(TimeSpan.FromSeconds(60),
                    attemptTimeout: TimeSpan.FromSeconds(20));
                holders.Add(holder);
                watchers.Add(new WatchCollector(cluster, holder, "t", "m/", start.ModifyIndex + 1, prefix: true));
                await WaitForParkedAsync(cluster, expected: i + 1);
            }

            await using TubeClient late = await cluster.NewClientAsync(TimeSpan.FromSeconds(2));
            var refused = await cluster.OnClient(() => Assert.ThrowsAsync<TubeUnavailableException>(async () =>
            {
                await foreach (ChangeEvent change in late.WatchAsync("t", B("m/"), start.ModifyIndex + 1, true))
                {
                    Assert.Fail($"a watch on full members delivered index {change.Index}");
                }
            }));
            Assert.Contains("watch calls", refused.Message);

            KvItem next = await cluster.OnClient(() => client.PutAsync("t", B("m/1"), B("v")));
            foreach (WatchCollector watcher in watchers)
            {
                await watcher.WaitForAsync(cluster, seen => seen.Count >= 1);
                Assert.Equal([next.ModifyIndex], watcher.Seen.Select(c => c.Index));
                await watcher.StopAsync();
            }

            foreach (TubeClient holder in holders)
            {
                await holder.DisposeAsync();
            }

            await cluster.StopAllAsync();
        });
    }

    /// <summary>Waits (at most 5 virtual seconds) until the replicas hold <paramref name="expected"/> watch calls
    /// in all.</summary>
    private static async Task WaitForParkedAsync(SimTubeCluster cluster, int expected)
    {
        DateTimeOffset end = cluster.Clock.GetUtcNow() + TimeSpan.FromSeconds(5);
        int parked = -1;
        while (cluster.Clock.GetUtcNow() < end)
        {
            parked = 0;
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                parked += (await cluster.Replica(i)!.GetWatchStatsAsync()).Parked;
            }

            if (parked == expected)
            {
                return;
            }

            await cluster.DelayAsync(cluster.Tick);
        }

        Assert.Fail($"the replicas hold {parked} watch calls, expected {expected}");
    }
}
