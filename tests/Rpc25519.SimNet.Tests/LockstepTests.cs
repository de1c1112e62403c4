using System.Collections.Concurrent;
using Rpc25519.SimNet.Harness;

namespace Rpc25519.SimNet.Tests;

/// <summary>
/// Online lock-step comparison (the original's tests 710 and 711): two runs execute at the same time on two threads,
/// one hands its checkpoints (step, virtual time, trace hash) to the other, which stops at the first mismatch. No
/// history is kept, so this scales to runs of any length.
/// </summary>
public sealed class LockstepTests
{
    private const long Interval = 500;

    [Fact]
    public void Two_runs_of_the_same_seed_agree_at_every_checkpoint()
    {
        // Goal: same seed, same run, checked while both run. Method: two 7-node clusters on seed 42, compared every
        // 500 steps; no mismatch, and many checkpoints were compared.
        var (compared, mismatch) = Compare(42, 42);
        Assert.Null(mismatch);
        Assert.True(compared > 5, $"only {compared} checkpoints compared");
    }

    [Fact]
    public void Two_seeds_part_at_the_first_checkpoint_and_the_check_stops_there()
    {
        // Goal: the comparison can fail (negative control, test 711). Method: seeds 0 and 1; the first checkpoint
        // already differs, and the checking run stops at it instead of running to the end.
        var (compared, mismatch) = Compare(0, 1);
        Assert.NotNull(mismatch);
        Assert.Equal(Interval, mismatch!.Value.Left.Step);
        Assert.Equal(0, compared);
    }

    private static (int Compared, (SimCheckpoint Left, SimCheckpoint Right)? Mismatch) Compare(ulong left, ulong right)
    {
        using var channel = new BlockingCollection<SimCheckpoint>(boundedCapacity: 64);
        using var stop = new CancellationTokenSource();
        SimCluster leader = NewCluster(left);
        leader.Simulation.Checkpoint += checkpoint => channel.Add(checkpoint, stop.Token);
        Exception? leaderError = null;
        var thread = new Thread(() =>
        {
            try
            {
                leader.Run();
            }
            catch (Exception e) when (e is OperationCanceledException || e.InnerException is OperationCanceledException)
            {
                // The follower found a mismatch and stopped the comparison.
            }
            catch (Exception e)
            {
                leaderError = e;
            }
            finally
            {
                channel.CompleteAdding();
            }
        });
        thread.Start();
        int compared = 0;
        (SimCheckpoint, SimCheckpoint)? mismatch = null;
        SimCluster follower = NewCluster(right);
        follower.Simulation.Checkpoint += checkpoint =>
        {
            Assert.True(channel.TryTake(out SimCheckpoint expected, TimeSpan.FromSeconds(30)), "leader stalled");
            if (expected != checkpoint)
            {
                mismatch = (expected, checkpoint);
                throw new OperationCanceledException("lock-step mismatch");
            }
            compared++;
        };
        try
        {
            follower.Run();
        }
        catch (OperationCanceledException)
        {
            stop.Cancel();
        }
        thread.Join();
        Assert.Null(leaderError);
        return (compared, mismatch);
    }

    private static SimCluster NewCluster(ulong seed) => new(new SimClusterOptions
    {
        Seed = seed, Nodes = 7, SafetyDuration = TimeSpan.FromSeconds(4), CheckpointInterval = Interval,
    });
}
