using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Floods;

/// <summary>One TubeClient with a thousand calls in flight while the cluster has no leader: every call ends by the
/// client's OperationTimeout with a typed exception, the replicas keep none of them, and once a leader is back the
/// same client works.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class ClientFloodTests
{
    private const int Calls = 1000;
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(1);

    [Fact]
    public void AThousandCallsWithoutALeaderEndTypedByTheTimeoutAndTheClientRecovers()
    {
        var cluster = new SimTubeCluster(34);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync(operationTimeout: OperationTimeout);
            await cluster.OnClient(() => client.PutAsync("t", [0], [0]));

            var cut = cluster.Network.Partition([.. cluster.Nodes.Select(n => (IReadOnlyList<SimNet.SimNode>)[n])]);
            await WaitForNoLeaderAsync(cluster);
            Task<(Exception? Error, TimeSpan Took)>[] calls = await cluster.OnClient(() => Task.FromResult(
                Enumerable.Range(0, Calls).Select(i => TimedAsync(cluster, (i % 3) switch
                {
                    0 => () => client.PutAsync("t", [(byte)i], [1]),
                    1 => () => client.GetAsync("t", [0]),
                    _ => () => client.GetAsync("t", [0], ReadMode.Lease),
                })).ToArray()));
            (Exception? Error, TimeSpan Took)[] outcomes = await Task.WhenAll(calls);

            Assert.All(outcomes, o => Assert.True(
                o.Error is NoQuorumException or NotLeaderException or TubeUnavailableException,
                $"a call ended with {o.Error?.GetType().Name ?? "success"}"));
            Assert.All(outcomes, o => Assert.InRange(o.Took, OperationTimeout / 2, OperationTimeout * 1.5));
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                Assert.Equal(0, (await cluster.Replica(i)!.GetHeldRequestsAsync()).Total);
            }

            cut.Undo();
            await cluster.WaitForLeaderAsync();
            await cluster.OnClient(() => client.PutAsync("t", [0], [9]));
            KvItem? item = await cluster.OnClient(() => client.GetAsync("t", [0]));
            Assert.Equal([9], item?.Value);
            await cluster.StopAllAsync();
        });
    }

    private static async Task<(Exception? Error, TimeSpan Took)> TimedAsync(SimTubeCluster cluster,
        Func<Task> call)
    {
        DateTimeOffset start = cluster.ClientNode.TimeProvider.GetUtcNow();
        try
        {
            await call();
            return (null, cluster.ClientNode.TimeProvider.GetUtcNow() - start);
        }
        catch (TubeException e)
        {
            return (e, cluster.ClientNode.TimeProvider.GetUtcNow() - start);
        }
    }

    /// <summary>Waits (bounded) until no replica is leader: check-quorum has made the old one step down.</summary>
    private static async Task WaitForNoLeaderAsync(SimTubeCluster cluster)
    {
        for (int round = 0; round < 100; round++)
        {
            bool any = false;
            for (int i = 0; i < cluster.Nodes.Length; i++)
            {
                any |= (await cluster.Replica(i)!.GetStatusAsync()).Role == RaftRole.Leader;
            }

            if (!any)
            {
                return;
            }

            await cluster.DelayAsync(cluster.Tick * 5);
        }

        Assert.Fail("the leader did not step down after losing its quorum");
    }
}
