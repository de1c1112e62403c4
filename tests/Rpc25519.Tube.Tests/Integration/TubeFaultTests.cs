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

    /// <summary>A follower that was down while the others compacted their logs catches up from the leader's
    /// snapshot, installs it, and ends with the same state; replicas that restart recover from their own
    /// snapshot plus the log after it.</summary>
    [Fact]
    public void ALaggingFollowerInstallsTheLeadersSnapshot()
    {
        var recorder = new EventRecorder();
        var cluster = new SimTubeCluster(seed: 33) { SnapshotEveryEntries = 20, LoggerFactory = recorder };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int follower = (leader + 1) % 3;
            cluster.Crash(follower);
            await using TubeClient client = await cluster.NewClientAsync();
            for (int i = 0; i < 60; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("k" + (i % 7)), B("v" + i)));
            }

            Assert.Contains(recorder.Events, e => e.Id.Id == 724); // the leader compacted
            await cluster.RestartAsync(follower);
            await cluster.WaitForConvergenceAsync();
            Assert.Contains(recorder.Events, e => e.Id.Id == 725 && e.Message.Contains($"replica {follower + 1} ",
                StringComparison.Ordinal));

            // Restart everyone from disk: each recovers from its snapshot and log to the same state.
            for (int i = 0; i < 3; i++)
            {
                cluster.Crash(i, tear: false);
            }

            for (int i = 0; i < 3; i++)
            {
                await cluster.RestartAsync(i);
            }

            await cluster.WaitForLeaderAsync();
            await cluster.WaitForConvergenceAsync();
            var item = await cluster.OnClient(() => client.GetAsync("t", B("k3")));
            Assert.Equal("v59", Encoding.UTF8.GetString(item!.Value!));
            await cluster.StopAllAsync();
        });
    }

    /// <summary>The byte threshold also waits for as many bytes of commands as the last snapshot holds: a state
    /// larger than the threshold is not written out again after each threshold's worth of log.</summary>
    [Fact]
    public void ALargeStateIsSnapshottedAgainOnlyAfterItsOwnSizeInLog()
    {
        var cluster = new SimTubeCluster(seed: 35)
        {
            SnapshotEveryEntries = 0, ConfigureReplica = options => options.SnapshotEveryBytes = 4096,
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            byte[] value = new byte[1024];
            for (int i = 0; i < 16; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("big" + i), value));
            }

            await cluster.WaitForConvergenceAsync();
            long first = (await cluster.Replica(leader)!.GetStatusAsync()).SnapshotIndex;
            Assert.True(first > 0, "16 KiB of commands applied, and no snapshot with a 4 KiB threshold");

            // The state is now over 16 KiB: 6 KiB more log passes the threshold but not the snapshot's size.
            for (int i = 0; i < 6; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("big" + i), value));
            }

            await cluster.WaitForConvergenceAsync();
            Assert.Equal(first, (await cluster.Replica(leader)!.GetStatusAsync()).SnapshotIndex);

            for (int i = 0; i < 20; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("big" + i), value));
            }

            await cluster.WaitForConvergenceAsync();
            Assert.True((await cluster.Replica(leader)!.GetStatusAsync()).SnapshotIndex > first,
                "26 KiB of commands since a snapshot of under 26 KiB, and no new snapshot");
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

    /// <summary>SnapshotEveryBytes (the tube tool's CompactionThresholdBytes): with entry counting off, replicas
    /// compact once the applied commands hold that many bytes, and not before.</summary>
    [Fact]
    public void ReplicasCompactByAppliedCommandBytes()
    {
        var cluster = new SimTubeCluster(seed: 34)
        {
            SnapshotEveryEntries = 0, ConfigureReplica = options => options.SnapshotEveryBytes = 4096,
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("small"), B("v")));
            Assert.Equal(0, (await cluster.Replica(leader)!.GetStatusAsync()).SnapshotIndex);
            byte[] value = new byte[1024];
            for (int i = 0; i < 6; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("big" + i), value));
            }

            await cluster.WaitForConvergenceAsync();
            Assert.True((await cluster.Replica(leader)!.GetStatusAsync()).SnapshotIndex > 0,
                "6 KiB of commands applied, and no snapshot with a 4 KiB threshold");
            await cluster.StopAllAsync();
        });
    }
}
