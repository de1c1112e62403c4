using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Membership addresses through the log, and paused hosts, on the whole stack on SimNet.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeMembershipTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>
    /// A member added with its address through one leader is reachable by every member: the address goes through
    /// the log. A node of a three-replica cluster comes back on an empty disk under a new id (4) that no running
    /// replica has in its configured address book; it is added through the leader with its address. Leadership then
    /// moves to a replica that never saw the change request, which must still replicate to node 4; and when node 4
    /// leads, a client that knows only another member's address is sent to node 4's.
    /// </summary>
    [Fact]
    public void AnAddedMembersAddressReachesEveryMemberThroughTheLog()
    {
        var cluster = new SimTubeCluster(seed: 51);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient admin = await cluster.NewClientAsync();
            await cluster.OnClient(() => admin.CreateTableAsync("t"));
            int joiner = (leader + 1) % 3;
            int other = (leader + 2) % 3;
            ulong oldId = cluster.Ids[joiner];
            cluster.Crash(joiner, tear: false);
            await cluster.OnClient(() => admin.ChangeMembershipAsync(MembershipChangeKind.RemoveVoter, oldId));
            await WaitUntilAsync(cluster, admin, s => !s.Voters.Contains(oldId));
            await cluster.OnClient(() => admin.ChangeMembershipAsync(MembershipChangeKind.RemoveShadow, oldId));
            await WaitUntilAsync(cluster, admin, s => !s.Shadows.Contains(oldId));

            ulong newId = cluster.Rebuild(joiner);
            Assert.Equal(4UL, newId);
            await cluster.RestartAsync(joiner);
            await cluster.OnClient(() => admin.ChangeMembershipAsync(MembershipChangeKind.AddVoter, newId,
                cluster.Address(joiner)));
            await WaitUntilAsync(cluster, admin, s => s.Voters.Contains(newId));

            // Leadership to the replica that only learned node 4's address from the log.
            ulong otherId = cluster.Ids[other];
            await WaitUntilAsync(cluster, admin, _ => true, async () =>
                await cluster.OnClient(() => admin.TransferLeadershipAsync(otherId)));
            Assert.Equal(other, await cluster.WaitForLeaderAsync());
            await cluster.OnClient(() => admin.PutAsync("t", B("after"), B("2")));
            await cluster.WaitForConvergenceAsync();

            // Node 4 leads; a client that knows only the other replica is redirected to node 4's address.
            await WaitUntilAsync(cluster, admin, _ => true, async () =>
                await cluster.OnClient(() => admin.TransferLeadershipAsync(newId)));
            Assert.Equal(joiner, await cluster.WaitForLeaderAsync());
            await using TubeClient narrow = await cluster.NewClientAsync(members: [cluster.Address(other)]);
            var put = await cluster.OnClient(() => narrow.PutAsync("t", B("via-redirect"), B("3")));
            Assert.EndsWith(cluster.Address(joiner), narrow.ConnectedTo, StringComparison.Ordinal);
            Assert.Equal(1, put.Version);
            await cluster.WaitForConvergenceAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A leader whose process stands still for many election timeouts is replaced; when it resumes it
    /// takes the ticks it missed before the messages that queued up, steps down and follows the new leader, and
    /// catches up with the writes made meanwhile.</summary>
    [Fact]
    public void APausedLeaderIsReplacedAndFollowsOnResume()
    {
        var cluster = new SimTubeCluster(seed: 52);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int old = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.CreateTableAsync("t"));
            Task paused = cluster.PauseAsync(old, TimeSpan.FromSeconds(2));
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
            Assert.False(paused.IsCompleted, "the pause ended early");
            var during = await cluster.OnClient(() => client.PutAsync("t", B("k"), B("written while paused")));
            Assert.False(paused.IsCompleted, "the write waited for the paused leader");
            await paused;
            int leader = await cluster.WaitForLeaderAsync();
            Assert.NotEqual(old, leader);
            await cluster.WaitForConvergenceAsync();
            var status = await cluster.Replica(old)!.GetStatusAsync();
            Assert.Equal(RaftRole.Follower, status.Role);
            Assert.True(status.AppliedIndex >= during.ModifyIndex);
            await cluster.StopAllAsync();
        });
    }

    /// <summary>Polls the status through <paramref name="admin"/> (doing <paramref name="act"/> first, each
    /// round) until <paramref name="done"/> holds; refusals while the cluster settles are retried.</summary>
    private static async Task WaitUntilAsync(SimTubeCluster cluster, TubeClient admin, Func<TubeStatus, bool> done,
        Func<Task>? act = null)
    {
        DateTimeOffset end = cluster.Clock.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                if (act is not null)
                {
                    await act();
                }

                if (done(await cluster.OnClient(() => admin.GetStatusAsync())))
                {
                    return;
                }
            }
            catch (Rpc25519.Tube.StateMachines.Errors.TubeException) when (cluster.Clock.GetUtcNow() < end)
            {
                // Not ready yet (the previous change is still committing, or no leader).
            }

            Assert.True(cluster.Clock.GetUtcNow() < end, "the cluster did not get there within 20 s");
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(50));
        }
    }
}
