using Rpc25519.SimNet.Harness;

namespace Rpc25519.SimNet.Tests;

public sealed class PartitionTests
{
    private static (Simulation Sim, SimNetwork Net, SimNode[] Nodes) NewNetwork(int count)
    {
        var sim = new Simulation(new SimulationOptions { Seed = 11 });
        var net = new SimNetwork(sim);
        SimNode[] nodes = Enumerable.Range(0, count).Select(i => sim.AddNode("p" + i)).ToArray();
        return (sim, net, nodes);
    }

    private static Task<RpcClient> Connect(SimNetwork net, SimNode from, SimNode to) =>
        SimRpc.Connect(net, from, to.Name + ":5000", c =>
        {
            c.DefaultCallTimeout = TimeSpan.FromSeconds(1);
            c.ConnectTimeout = TimeSpan.FromSeconds(1);
        });

    [Fact]
    public void Two_groups_cannot_talk_across_until_the_undo()
    {
        // Goal: the basic partition. Method: four nodes with echo servers and clients made before the cut; split
        // {p0,p1} | {p2,p3}; calls inside a group succeed, calls across time out with their requests lost as
        // "partitioned", a new dial across fails; after the undo, calls across succeed again.
        var (sim, net, p) = NewNetwork(4);
        sim.Run(async () =>
        {
            foreach (SimNode node in p)
            {
                await SimRpc.StartEchoServer(net, node);
            }
            RpcClient inside = await Connect(net, p[0], p[1]);
            RpcClient across = await Connect(net, p[0], p[2]);
            SimUndo cut = net.Partition([p[0], p[1]], [p[2], p[3]]);
            Assert.False(net.CanReach(p[0], p[2]));
            Assert.False(net.CanReach(p[3], p[1]));
            Assert.True(net.CanReach(p[2], p[3]));
            Assert.Equal("in", (await SimRpc.Call(p[0], inside, "echo", "in")).Text());
            await Assert.ThrowsAsync<RpcTimeoutException>(() => SimRpc.Call(p[0], across, "echo", "lost"));
            Assert.Contains(net.Snapshot().Host("p0").LostSends, m => m.LostReason == "partitioned");
            await Assert.ThrowsAnyAsync<Exception>(() => Connect(net, p[3], p[1]));
            cut.Undo();
            Assert.True(net.CanReach(p[0], p[2]));
            Assert.Equal("back", (await SimRpc.Call(p[0], across, "echo", "back")).Text());
            RpcClient fresh = await Connect(net, p[3], p[1]);
            Assert.Equal("new", (await SimRpc.Call(p[3], fresh, "echo", "new")).Text());
        });
    }

    [Fact]
    public void Three_groups_are_cut_pairwise_and_heal_opens_everything()
    {
        // Goal: more than two groups, and the nodes named in no group keep talking to everyone. Method: {p0} | {p1} |
        // {p2,p3}, p4 unnamed; check reachability for every ordered pair, then HealPartitions.
        var (sim, net, p) = NewNetwork(5);
        sim.Run(() =>
        {
            net.Partition([p[0]], [p[1]], [p[2], p[3]]);
            bool[,] expected =
            {
                { true, false, false, false, true },
                { false, true, false, false, true },
                { false, false, true, true, true },
                { false, false, true, true, true },
                { true, true, true, true, true },
            };
            for (int a = 0; a < 5; a++)
            {
                for (int b = 0; b < 5; b++)
                {
                    Assert.True(expected[a, b] == net.CanReach(p[a], p[b]), $"p{a} -> p{b}");
                }
            }
            Assert.Equal(2 * ((1 * 1) + (1 * 2) + (1 * 2)), net.HealPartitions());
            Assert.True(net.CanReach(p[0], p[1]));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void A_one_way_partition_loses_one_direction_only_and_late_delivery_restores_it()
    {
        // Goal: the asymmetric variant. Method: p1 calls p0 over a connection made before the cut; cut p0 -> p1 only.
        // The request (p1 -> p0) arrives and is answered, but the answer (p0 -> p1) is lost as "partitioned", so the
        // call times out. AllHealthy with late delivery re-sends the lost answer; a new call works.
        var (sim, net, p) = NewNetwork(2);
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, p[0]);
            RpcClient client = await Connect(net, p[1], p[0]);
            net.PartitionOneWay([p[0]], [p[1]]);
            Assert.False(net.CanReach(p[0], p[1]));
            Assert.True(net.CanReach(p[1], p[0]));
            long delivered = net.Counters.Delivered;
            await Assert.ThrowsAsync<RpcTimeoutException>(() => SimRpc.Call(p[1], client, "echo", "x"));
            Assert.Equal(delivered + 1, net.Counters.Delivered); // The request arrived; the answer did not.
            SimNetworkSnapshot during = net.Snapshot();
            Assert.Contains(during.Host("p0").LostSends, m => m.LostReason == "partitioned");
            Assert.Empty(during.Host("p1").LostSends);
            Assert.Null(net.CheckLossLedger());
            Assert.True(net.AllHealthy(powerOnIfOff: false, deliverLost: true) >= 1);
            Assert.True(net.CanReach(p[0], p[1]));
            Assert.Equal("ok", (await SimRpc.Call(p[1], client, "echo", "ok")).Text());
        });
    }

    [Fact]
    public void Overlapping_partitions_add_up_and_an_undo_after_a_heal_does_nothing()
    {
        // Goal: each undo removes exactly its own partition. Method: two partitions block p0 -> p1; undoing one
        // keeps the direction blocked, undoing the other opens it. Then a partition healed by HealPartitions, and a
        // later one made: the stale undo must not open the later one.
        var (sim, net, p) = NewNetwork(3);
        sim.Run(() =>
        {
            SimUndo first = net.Partition([p[0]], [p[1], p[2]]);
            SimUndo second = net.PartitionOneWay([p[0]], [p[1]]);
            first.Undo();
            Assert.False(net.CanReach(p[0], p[1]));
            Assert.True(net.CanReach(p[1], p[0]));
            Assert.True(net.CanReach(p[0], p[2]));
            second.Undo();
            Assert.True(net.CanReach(p[0], p[1]));
            SimUndo stale = net.Partition([p[0]], [p[1]]);
            net.HealPartitions();
            SimUndo later = net.Partition([p[0]], [p[1]]);
            stale.Undo();
            Assert.False(net.CanReach(p[0], p[1]));
            later.Undo();
            Assert.True(net.CanReach(p[0], p[1]));
            return Task.CompletedTask;
        });
    }

    [Fact]
    public void Bad_groups_are_refused_with_a_clear_message()
    {
        var (sim, net, p) = NewNetwork(2);
        Assert.Contains("at least two groups", Assert.Throws<ArgumentException>(() => net.Partition([p[0]])).Message);
        Assert.Contains("at least one node", Assert.Throws<ArgumentException>(() => net.Partition([p[0]], [])).Message);
        Assert.Contains("two groups", Assert.Throws<ArgumentException>(
            () => net.PartitionOneWay([p[0], p[1]], [p[1]])).Message);
        Assert.NotNull(sim);
    }

    [Fact]
    public void The_nemesis_partitions_clusters_and_they_heal()
    {
        // Goal: partitions are part of the nemesis's menu and the echo workload survives them (every reply right,
        // every pair reachable after healing). Method: a few 7-node runs; partitions must have happened.
        long partitions = 0;
        for (ulong seed = 20; seed < 26; seed++)
        {
            SimClusterResult result = new SimCluster(new SimClusterOptions
            {
                Seed = seed, SafetyDuration = TimeSpan.FromSeconds(8),
            }).Run();
            partitions += result.Partitions;
        }
        Assert.True(partitions >= 3, $"only {partitions} partitions in 6 runs");
    }
}
