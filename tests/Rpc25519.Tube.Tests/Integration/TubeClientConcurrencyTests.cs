using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>One TubeClient shared by many tasks, and its deadlines and cancellation, through the whole stack on
/// SimNet.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeClientConcurrencyTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ManyTasksShareOneClientAndSession()
    {
        var cluster = new SimTubeCluster(seed: 21);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            KvItem[] items = await cluster.OnClient(async () =>
            {
                var puts = Enumerable.Range(0, 20).Select(i => client.PutAsync("t", B("k" + i), B("v" + i))).ToList();
                var done = new List<KvItem>();
                foreach (Task<KvItem> put in puts)
                {
                    done.Add(await put);
                }

                return done.ToArray();
            });
            Assert.All(items, item => Assert.Equal(1, item.Version));
            Assert.Equal(20, items.Select(i => i.ModifyIndex).Distinct().Count());

            // A leader change in the middle of a burst: every write still lands exactly once.
            Task<KvItem[]> burst = cluster.OnClient(async () =>
            {
                var puts = Enumerable.Range(0, 20).Select(i => client.PutAsync("t", B("k" + i), B("w" + i))).ToList();
                var done = new List<KvItem>();
                foreach (Task<KvItem> put in puts)
                {
                    done.Add(await put);
                }

                return done.ToArray();
            });
            cluster.Crash(leader);
            KvItem[] second;
            try
            {
                second = await burst;
            }
            catch (Exception e)
            {
                var lines = new List<string>();
                for (int i = 0; i < 3; i++)
                {
                    if (cluster.Replica(i) is { } r)
                    {
                        lines.Add((await r.GetStatusAsync()).ToString());
                    }
                }

                throw new InvalidOperationException(e.Message + " | " + string.Join(" | ", lines), e);
            }

            Assert.All(second, item => Assert.Equal(2, item.Version));
            await cluster.RestartAsync(leader);
            await cluster.WaitForConvergenceAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void DeadlineAndCancellationEndAnOperationThatCannotSucceed()
    {
        var cluster = new SimTubeCluster(seed: 22);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync(operationTimeout: TimeSpan.FromSeconds(1));
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            var cut = cluster.Network.Isolate(cluster.ClientNode);

            DateTimeOffset start = cluster.Clock.GetUtcNow();
            var unavailable = await cluster.OnClient(() =>
                Assert.ThrowsAnyAsync<Rpc25519.Tube.StateMachines.Errors.TubeException>(() => client.PutAsync("t", B("k"), B("x"))));
            TimeSpan took = cluster.Clock.GetUtcNow() - start;
            Assert.True(unavailable is TubeUnavailableException or NoQuorumException or NotLeaderException,
                unavailable.GetType().Name);
            Assert.InRange(took, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));

            await cluster.OnClient(async () =>
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100),
                    cluster.ClientNode.TimeProvider);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(
                    () => client.GetAsync("t", B("k"), cancellationToken: cancel.Token));
            });
            cut.Undo();
            KvItem? item = await cluster.OnClient(() => client.GetAsync("t", B("k")));
            Assert.NotNull(item);
            await cluster.StopAllAsync();
        });
    }
}
