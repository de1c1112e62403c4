using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Storage;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Faults the soak does not inject: a clock that jumps (a paused process), a flipped byte on disk.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeFaultTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A follower whose clock jumps a second ahead (as after a pause) gets all the missed ticks at once
    /// before it handles any message; its pre-vote then fails against the sticky leader, so the leader and term
    /// stay.</summary>
    [Fact]
    public void MissedTicksAreDeliveredAtOnceAfterAClockJumpWithoutDisruptingTheLeader()
    {
        var recorder = new EventRecorder();
        var cluster = new SimTubeCluster(seed: 31) { LoggerFactory = recorder };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            var before = await cluster.Replica(leader)!.GetStatusAsync();
            int follower = (leader + 1) % 3;
            recorder.Events.Clear();
            cluster.Network.SkewClock(cluster.Nodes[follower], TimeSpan.FromSeconds(1), 0);
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(200));
            var catchUp = recorder.Events.Where(e => e.Id.Id == 727).ToList();
            Assert.NotEmpty(catchUp);
            Assert.Contains($"replica {follower + 1} delivered 5", catchUp[0].Message, StringComparison.Ordinal);
            var after = await cluster.Replica(leader)!.GetStatusAsync();
            Assert.Equal((before.NodeId, before.Term), (after.LeaderId, after.Term));
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("v")));
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A byte flipped in a synced log record of a crashed replica stops its restart with the file and
    /// offset; the other two keep serving.</summary>
    [Fact]
    public void AFlippedByteOnDiskStopsTheRestartWithFileAndOffset()
    {
        var cluster = new SimTubeCluster(seed: 32) { SnapshotEveryEntries = 0 };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            for (int i = 0; i < 20; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("k" + i), new byte[200]));
            }

            int victim = (leader + 1) % 3;
            cluster.Crash(victim, tear: false);
            var flip = cluster.Disks[victim].FlipDurableByte(
                path => path.StartsWith("/tube/", StringComparison.Ordinal) && !path.Contains("snapshot", StringComparison.Ordinal)
                    && !path.Contains("lock", StringComparison.Ordinal));
            Assert.NotNull(flip);
            var refused = await Assert.ThrowsAsync<StorageCorruptedException>(() => cluster.RestartAsync(victim));
            Assert.Contains("/tube/", refused.Message, StringComparison.Ordinal);
            await cluster.OnClient(() => client.PutAsync("t", B("still"), B("serving")));
            await cluster.StopAllAsync();
        });
    }
}
