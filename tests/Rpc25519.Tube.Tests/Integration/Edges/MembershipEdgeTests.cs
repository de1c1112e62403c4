using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>Membership operations and the status of every member, through a TubeClient.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class MembershipEdgeTests
{
    [Fact]
    public void AShadowIsAddedAndRemovedAndEveryMemberReportsIt()
    {
        EdgeCluster.Run(seed: 71, async (cluster, client) =>
        {
            IReadOnlyList<TubeStatus> before = await client.GetClusterStatusAsync();
            Assert.Equal([1UL, 2UL, 3UL], before.Select(s => s.NodeId).Order());
            Assert.Single(before, s => s.Role == RaftRole.Leader);
            Assert.All(before, s => Assert.Equal([1UL, 2UL, 3UL], s.Voters.Order()));

            await client.ChangeMembershipAsync(MembershipChangeKind.AddShadow, 4, "n4:7000");
            await WaitForAllAsync(cluster, client, s => s.Shadows.Contains(4UL));

            // Changes that do not apply are refused, one at a time; the client goes on.
            await Assert.ThrowsAsync<InvalidCommandException>(
                () => client.ChangeMembershipAsync(MembershipChangeKind.RemoveVoter, 99));
            await Assert.ThrowsAsync<InvalidCommandException>(
                () => client.ChangeMembershipAsync(MembershipChangeKind.AddVoter, 0, "n0:7000"));
            await client.PutAsync("t", Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"));

            await client.ChangeMembershipAsync(MembershipChangeKind.RemoveShadow, 4);
            await WaitForAllAsync(cluster, client, s => s.Shadows.Length == 0 && s.Voters.Length == 3);
        });
    }

    [Fact]
    public void TheStatusOfEveryMemberIncludesMembersTheClientWasNotToldOf()
    {
        EdgeCluster.Run(seed: 72, async (cluster, client) =>
        {
            await using TubeClient partial = await cluster.NewClientAsync(members: [cluster.Address(0)]);
            IReadOnlyList<TubeStatus> all = await partial.GetClusterStatusAsync();
            Assert.Equal([1UL, 2UL, 3UL], all.Select(s => s.NodeId));
            Assert.Equal(string.Join(",", cluster.Address(0), cluster.Address(1), cluster.Address(2)),
                string.Join(",", all[0].MemberAddresses));

            // A member that does not answer is left out; the others are still found.
            cluster.Crash(2);
            IReadOnlyList<TubeStatus> two = await partial.GetClusterStatusAsync();
            Assert.Equal([1UL, 2UL], two.Select(s => s.NodeId));
        });
    }

    private static async Task WaitForAllAsync(SimTubeCluster cluster, TubeClient client, Func<TubeStatus, bool> done)
    {
        for (int i = 0; i < 50; i++)
        {
            IReadOnlyList<TubeStatus> all = await client.GetClusterStatusAsync();
            if (all.Count == 3 && all.All(done))
            {
                return;
            }

            await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException("The members never all reported the change.");
    }
}
