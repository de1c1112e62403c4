using System.Text;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// The three read modes on a member cut off from the others (the client still reaches it): a stale read answers
/// from the member's own old state, a linearizable read waits until the member hears a quorum again, and a lease
/// read on a deposed leader is not answered once the others have a new leader and a newer value.
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class ReadModeFaultTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(KvItem? item) => Encoding.UTF8.GetString(item!.Value!);

    [Fact]
    public void ACutOffFollowerServesStaleReadsAndHoldsLinearizableOnesUntilHealed()
    {
        var cluster = new SimTubeCluster(seed: 81);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int follower = (leader + 1) % 3;
            TubeClient client = await cluster.NewClientAsync();
            TubeClient pinned = await cluster.NewClientAsync(members: [cluster.Address(follower)]);
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("old")));
            await cluster.WaitForConvergenceAsync();

            SimUndo cut = cluster.Network.Partition([cluster.Nodes[follower]],
                [.. cluster.Nodes.Where((_, i) => i != follower)]);
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("new")));
            Assert.Equal("old", S(await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Stale))));

            Task<KvItem?> linearizable = cluster.OnClient(() => pinned.GetAsync("t", B("k")));
            await cluster.DelayAsync(TimeSpan.FromSeconds(2));
            Assert.False(linearizable.IsCompleted, "a cut-off follower answered a linearizable read: " +
                (linearizable.IsCompletedSuccessfully ? S(linearizable.Result) : linearizable.Exception?.Message));
            cut.Undo();
            Assert.Equal("new", S(await linearizable));
            Assert.Equal("new", S(await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Stale))));
            await cluster.OnClient(async () => await pinned.DisposeAsync());
            await cluster.OnClient(async () => await client.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void ADeposedLeaderDoesNotServeALeaseReadOnceAnotherLeaderWrote()
    {
        var cluster = new SimTubeCluster(seed: 82);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int old = await cluster.WaitForLeaderAsync();
            string[] rest = [.. Enumerable.Range(0, 3).Where(i => i != old).Select(cluster.Address)];
            TubeClient writer = await cluster.NewClientAsync(members: rest);
            TubeClient pinned = await cluster.NewClientAsync(members: [cluster.Address(old)],
                operationTimeout: TimeSpan.FromSeconds(2));
            await cluster.OnClient(() => writer.PutAsync("t", B("k"), B("old")));
            await cluster.WaitForConvergenceAsync();
            Assert.Equal("old", S(await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Lease))));

            SimUndo cut = cluster.Network.Partition([cluster.Nodes[old]],
                [.. cluster.Nodes.Where((_, i) => i != old)]);
            await cluster.OnClient(() => writer.PutAsync("t", B("k"), B("new")));
            Assert.Equal("old", S(await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Stale))));
            TubeException refused = await cluster.OnClient(() => Assert.ThrowsAnyAsync<TubeException>(
                () => pinned.GetAsync("t", B("k"), ReadMode.Lease)));
            Assert.True(refused is NoQuorumException or NotLeaderException or TubeUnavailableException,
                refused.GetType().Name);

            cut.Undo();
            await cluster.WaitForLeaderAsync();
            Assert.Equal("new", S(await cluster.OnClient(() => pinned.GetAsync("t", B("k"), ReadMode.Lease))));
            await cluster.OnClient(async () => await pinned.DisposeAsync());
            await cluster.OnClient(async () => await writer.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }
}
