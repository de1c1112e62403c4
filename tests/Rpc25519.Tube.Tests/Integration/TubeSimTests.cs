using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>The whole stack on SimNet: TubeClient → Rpc25519 → TubeReplica → SimRaftStorage.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeSimTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ElectsLeaderAndServesPutGet()
    {
        var cluster = new SimTubeCluster(seed: 1);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            KvItem put = await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v1")));
            Assert.Equal(1, put.Version);
            KvItem? got = await cluster.OnClient(() => client.GetAsync("t", B("k")));
            Assert.Equal("v1", Encoding.UTF8.GetString(got!.Value!));
            KvItem? lease = await cluster.OnClient(() => client.GetAsync("t", B("k"), Rpc25519.Tube.Hosting.ReadMode.Lease));
            Assert.Equal(1, lease!.Version);
            await cluster.WaitForConvergenceAsync();
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void LeaderCrashAndRestartLosesOnlyUnsyncedData()
    {
        var cluster = new SimTubeCluster(seed: 2);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            for (int i = 0; i < 5; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("k" + i), B("v" + i)));
            }

            cluster.Crash(leader, tear: true);
            int next = await cluster.WaitForLeaderAsync();
            Assert.NotEqual(leader, next);
            await cluster.OnClient(() => client.PutAsync("t", B("after"), B("crash")));
            await cluster.RestartAsync(leader);
            await cluster.WaitForConvergenceAsync();
            for (int i = 0; i < 5; i++)
            {
                KvItem? item = await cluster.OnClient(() => client.GetAsync("t", B("k" + i)));
                Assert.Equal("v" + i, Encoding.UTF8.GetString(item!.Value!));
            }

            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void PartitionedLeaderIsReplacedAndFollowerReadsWork()
    {
        var cluster = new SimTubeCluster(seed: 3);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("before")));
            var cut = cluster.Network.Isolate(cluster.Nodes[leader]);
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("during")));
            cut.Undo();
            await cluster.WaitForConvergenceAsync();
            int follower = (leader + 1) % 3;
            await using TubeClient direct = await cluster.NewClientAsync();
            string address = cluster.Members[(ulong)follower + 1];
            var status = await cluster.OnClient(() => direct.GetStatusAsync(address));
            Assert.NotEqual(Raft.RaftRole.Leader, status.Role);
            KvItem? item = await cluster.OnClient(() => client.GetAsync("t", B("k")));
            Assert.Equal("during", Encoding.UTF8.GetString(item!.Value!));
            Assert.Equal(2, item.Version);
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void RetriedWriteWhoseReplyWasLostAppliesOnce()
    {
        var cluster = new SimTubeCluster(seed: 4);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            // The leader alone answers (no follower replies): its answers to the client vanish, the put is applied,
            // the client times out and retries.
            await using TubeClient client = await cluster.NewClientAsync(followerReplies: false);
            await cluster.OnClient(() => client.OpenSessionAsync());
            await cluster.OnClient(() => client.PutAsync("t", B("warm"), B("up")));
            (KvItem result, TimeSpan took) =
                await cluster.PutWhileAnswersVanishAsync(client, leader, "t", B("once"), B("x"));
            Assert.True(took >= TimeSpan.FromMilliseconds(400), $"the first answer was not lost (took {took})");
            Assert.Equal(1, result.Version);
            KvItem? item = await cluster.OnClient(() => client.GetAsync("t", B("once")));
            Assert.Equal(1, item!.Version);
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void SameSeedSameTrace()
    {
        ulong Run()
        {
            var cluster = new SimTubeCluster(seed: 5);
            cluster.Simulation.Run(async () =>
            {
                await cluster.StartAllAsync();
                await cluster.WaitForLeaderAsync();
                await using TubeClient client = await cluster.NewClientAsync();
                await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
                await cluster.StopAllAsync();
            });
            return cluster.Simulation.TraceHash;
        }

        Assert.Equal(Run(), Run());
    }
}
