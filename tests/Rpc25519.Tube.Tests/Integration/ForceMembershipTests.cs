using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>TubeClient.ForceMembershipAsync, the rescue behind <c>tuberm -f</c> and <c>tubeadd -f</c>: a cluster that
/// lost two of three replicas for good has no quorum; forcing the survivor's membership down to itself lets it elect
/// and serve the data it holds. Bad sets are refused with a message.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class ForceMembershipTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ASurvivorForcedToBeTheOnlyVoterElectsItselfAndKeepsTheData()
    {
        var cluster = new SimTubeCluster(seed: 41);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            await cluster.WaitForConvergenceAsync();
            int survivor = (leader + 1) % 3;
            cluster.Crash(leader);
            cluster.Crash((leader + 2) % 3);
            ulong survivorId = (ulong)(survivor + 1);
            string address = cluster.Members[survivorId];

            await cluster.OnClient(async () =>
            {
                var refused = await Assert.ThrowsAsync<InvalidCommandException>(
                    () => client.ForceMembershipAsync(address, [], [survivorId]));
                Assert.Contains("at least one voter", refused.Message);
                refused = await Assert.ThrowsAsync<InvalidCommandException>(
                    () => client.ForceMembershipAsync(address, [survivorId], [survivorId]));
                Assert.Contains("distinct", refused.Message);

                var status = await client.ForceMembershipAsync(address, [survivorId], []);
                Assert.Equal([survivorId], status.Voters);
            });
            Assert.Equal(survivor, await cluster.WaitForLeaderAsync());
            await using TubeClient after = await cluster.NewClientAsync();
            var item = await cluster.OnClient(() => after.GetAsync("t", B("k")));
            Assert.Equal("v", Encoding.UTF8.GetString(item!.Value!));
            await cluster.StopAllAsync();
        });
    }

    /// <summary><c>ClearMembershipAsync</c> (tuberm -e) on the leader: it steps down with no voters and no shadows,
    /// cannot win the next election, and learns the membership again from the leader the other two elect; the data
    /// stays.</summary>
    [Fact]
    public void AClearedLeaderStepsDownAndLearnsTheMembershipFromTheNextLeader()
    {
        var cluster = new SimTubeCluster(seed: 43);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            string address = cluster.Members[cluster.Ids[leader]];

            TubeStatus cleared = await cluster.OnClient(() => client.ClearMembershipAsync(address));
            Assert.Empty(cleared.Voters);
            Assert.Empty(cleared.Shadows);
            Assert.NotEqual(RaftRole.Leader, cleared.Role);

            int next = await cluster.WaitForLeaderAsync();
            Assert.NotEqual(leader, next);
            TubeStatus again = await cluster.Replica(leader)!.GetStatusAsync();
            Assert.Equal(cluster.Ids.Order(), again.Voters.Order());
            var item = await cluster.OnClient(() => client.GetAsync("t", B("k")));
            Assert.Equal("v", Encoding.UTF8.GetString(item!.Value!));
            await cluster.StopAllAsync();
        });
    }
}
