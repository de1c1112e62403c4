using System.Text;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// Writes go on while the leader's answers are lost, while it crashes, hands over, is partitioned away, and while the client's own connection
/// drops. Every write the client saw acknowledged is applied exactly once; one whose outcome the client never learned
/// (its deadline passed) is applied at most once. Blind puts count themselves in the key's version, so a retry applied
/// twice would show as one version too many; a counter is raised by compare-and-swap loops.
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class ExactlyOnceFaultTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private sealed class Tally(TimeProvider clock)
    {
        public TimeProvider Clock { get; } = clock;

        public int Puts;
        public int UnknownPuts;
        public int Increments;
        public int UnknownIncrements;
        public bool FaultsOver;

        /// <summary>Writes that took longer than one attempt, so were sent more than once.</summary>
        public int Retried;
    }

    [Fact]
    public void WritesAcrossLeaderChangesAndDroppedConnectionsApplyOnce()
    {
        string? doubled = RunWrites(reapplyRetries: false);
        Assert.True(doubled is null, doubled);
    }

    [Fact]
    public void TheCheckCatchesRetriesThatAreAppliedAgain()
    {
        // The control: with the session cache bypassed (the mutation check's switch), the same run must fail.
        Assert.NotNull(RunWrites(reapplyRetries: true));
    }

    /// <summary>Runs the writes under faults; returns what was applied more often than acknowledged, or null.</summary>
    private static string? RunWrites(bool reapplyRetries)
    {
        string? doubled = null;
        var cluster = new SimTubeCluster(seed: 71)
        {
            CreateStateMachines = () => StateMachineSet.WithKv(
                new StateMachineOptions { UnsafeReapplyRetries = reapplyRetries }),
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            // The leader alone answers writes, so that a lost answer means a retry of an applied write.
            TubeClient client = await cluster.NewClientAsync(followerReplies: false);
            TubeClient admin = await cluster.NewClientAsync();
            var tally = new Tally(cluster.ClientNode.TimeProvider);
            Task writes = cluster.OnClient(() => WriteAsync(client, tally));

            int leader = await cluster.WaitForLeaderAsync();
            // Requests still arrive, answers do not (and no new connection can be made): applied, unacknowledged.
            SimUndo mute = cluster.Network.PartitionOneWay(cluster.Nodes, [cluster.ClientNode]);
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(600));
            mute.Undo();
            cluster.Crash(leader);
            await cluster.DelayAsync(TimeSpan.FromSeconds(1));
            await cluster.RestartAsync(leader);
            leader = await cluster.WaitForLeaderAsync();
            int target = (leader + 1) % 3;
            await cluster.OnClient(() => admin.TransferLeadershipAsync(cluster.Ids[target]));
            leader = await cluster.WaitForLeaderAsync();
            SimNode[] others = [.. cluster.Nodes.Where((_, i) => i != leader)];
            SimUndo split = cluster.Network.Partition([cluster.Nodes[leader]], others);
            await cluster.DelayAsync(TimeSpan.FromSeconds(1.5));
            split.Undo();
            await cluster.WaitForLeaderAsync();
            SimUndo dropped = cluster.Network.Isolate(cluster.ClientNode);
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(700));
            dropped.Undo();
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(300));
            tally.FaultsOver = true;
            await writes;

            Assert.True(tally.Puts >= 20 && tally.Increments >= 20, $"{tally.Puts} puts, {tally.Increments} increments");
            Assert.True(tally.Retried > 0, "no write was retried: the faults did not bite");
            KvItem? p = await cluster.OnClient(() => client.GetAsync("t", B("p")));
            KvItem? n = await cluster.OnClient(() => client.GetAsync("t", B("n")));
            int count = int.Parse(Encoding.UTF8.GetString(n!.Value!));
            Assert.Equal(n.Version, count);
            Assert.True(p!.Version >= tally.Puts && count >= tally.Increments, "an acknowledged write was lost");
            if (p.Version > tally.Puts + tally.UnknownPuts || count > tally.Increments + tally.UnknownIncrements)
            {
                doubled = $"puts: version {p.Version} after {tally.Puts} acknowledged and {tally.UnknownPuts} unknown; " +
                    $"counter: {count} after {tally.Increments} acknowledged and {tally.UnknownIncrements} unknown";
            }

            await cluster.WaitForConvergenceAsync();
            await cluster.OnClient(async () => await client.DisposeAsync());
            await cluster.OnClient(async () => await admin.DisposeAsync());
            await cluster.StopAllAsync();
        });
        return doubled;
    }

    private static async Task WriteAsync(TubeClient client, Tally tally)
    {
        for (int step = 0; step < 2000 && !(tally.FaultsOver && step >= 40); step++)
        {
            try
            {
                await TimedAsync(tally, () => client.PutAsync("t", B("p"), B(step.ToString())));
                tally.Puts++;
            }
            catch (TubeException e) when (e is TubeUnavailableException or NoQuorumException or NotLeaderException)
            {
                tally.UnknownPuts++;
            }

            await IncrementAsync(client, tally);
        }
    }

    private static async Task TimedAsync(Tally tally, Func<Task<KvItem>> write)
    {
        TimeProvider clock = tally.Clock;
        long start = clock.GetTimestamp();
        await write();
        if (clock.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(400))
        {
            tally.Retried++;
        }
    }

    /// <summary>Reads the counter and swaps in one more, conditioned on the version it read, until one swap is
    /// acknowledged or its outcome is unknown.</summary>
    private static async Task IncrementAsync(TubeClient client, Tally tally)
    {
        for (int tries = 0; tries < 20; tries++)
        {
            KvItem? n;
            try
            {
                n = await client.GetAsync("t", B("n"));
            }
            catch (TubeException e) when (e is TubeUnavailableException or NoQuorumException or NotLeaderException)
            {
                continue;
            }

            try
            {
                int value = n is null ? 0 : int.Parse(Encoding.UTF8.GetString(n.Value!));
                await TimedAsync(tally, () => client.CompareAndSwapAsync("t", B("n"),
                    B((value + 1).ToString()), expectedVersion: n?.Version ?? 0));
                tally.Increments++;
                return;
            }
            catch (CasMismatchException)
            {
                // Only an earlier swap of ours whose outcome was unknown can have moved it: read again.
            }
            catch (TubeException e) when (e is TubeUnavailableException or NoQuorumException or NotLeaderException)
            {
                tally.UnknownIncrements++;
            }
        }
    }
}
