using System.Text;
using Rpc25519.Tube.Client;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>Large values and the transport's frame limit: a follower that missed many large writes must still catch
/// up, so the leader may not put more entries in one append than a frame holds.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class LargeValueReplicationTests
{
    [Fact]
    public void AFollowerThatMissedManyLargeWritesCatchesUp()
    {
        // Frames of 256 KiB stand in for the default 64 MiB, and 40 KiB values for 1 MiB ones: 20 missed writes
        // make 800 KiB, which no single append can carry.
        var cluster = new SimTubeCluster(seed: 81)
        {
            SnapshotEveryEntries = 0,
            ConfigureReplica = o => o.Rpc.MaxFrameBytes = 256 * 1024,
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int behind = (leader + 1) % 3;
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", [1], [1]));
            await cluster.WaitForConvergenceAsync();
            cluster.Crash(behind);
            for (int i = 0; i < 20; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", Encoding.UTF8.GetBytes("k" + i), new byte[40 * 1024]));
            }

            await cluster.RestartAsync(behind);
            await cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(30));
            await cluster.StopAllAsync();
        });
    }
}
