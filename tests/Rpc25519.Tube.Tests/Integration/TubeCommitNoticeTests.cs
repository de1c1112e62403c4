using System.Text;
using Rpc25519.Tube.Client;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// <see cref="Hosting.TubeReplicaOptions.CommitNoticeDelay"/> on the whole stack (SimNet, virtual time): after a lone
/// write, idle followers learn of its commit and apply it once the delay has passed, not at the next heartbeat.
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeCommitNoticeTests
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(500);

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void AnIdleFollowerAppliesALoneWriteAfterTheNoticeDelayNotAtTheNextHeartbeat(int delayMs)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(delayMs);
        var cluster = new SimTubeCluster(seed: 21)
        {
            Tick = Heartbeat,
            ConfigureReplica = o =>
            {
                o.CommitNoticeDelay = delay;
                o.IdleTickInterval = TimeSpan.FromMinutes(10);
            },
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60));
            // Without follower replies: a client that waits on a follower makes the leader send durable notices,
            // and the followers then commit the write without any commit notice.
            await using TubeClient client = await cluster.NewClientAsync(followerReplies: false);
            await cluster.OnClient(() => client.PutAsync("t", B("warm"), B("up")));
            await cluster.WaitForConvergenceAsync();

            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            DateTimeOffset acknowledged = cluster.Clock.GetUtcNow();
            long index = (await cluster.Replica(leader)!.GetStateHashAsync()).AppliedIndex;
            TimeSpan applied = await WaitUntilAllAppliedAsync(cluster, index, acknowledged);

            Assert.True(applied >= delay, $"followers applied after {applied}, before the {delay} notice delay");
            Assert.True(applied < delay + TimeSpan.FromMilliseconds(20),
                $"followers applied only after {applied} (heartbeat every {Heartbeat}); the notice did not go out");
            await cluster.StopAllAsync();
        });
    }

    private static async Task<TimeSpan> WaitUntilAllAppliedAsync(SimTubeCluster cluster, long index,
        DateTimeOffset since)
    {
        while (cluster.Clock.GetUtcNow() - since < Heartbeat * 3)
        {
            bool all = true;
            for (int i = 0; i < cluster.Ids.Length; i++)
            {
                all &= (await cluster.Replica(i)!.GetStateHashAsync()).AppliedIndex >= index;
            }

            if (all)
            {
                return cluster.Clock.GetUtcNow() - since;
            }

            await cluster.DelayAsync(TimeSpan.FromMilliseconds(1));
        }

        throw new TimeoutException($"followers did not apply index {index} within three heartbeats");
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
}
