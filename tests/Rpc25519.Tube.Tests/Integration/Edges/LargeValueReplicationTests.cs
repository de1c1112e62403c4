using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>Large values and the transport's frame limit: a follower that missed many large writes must still catch
/// up, so the leader may not put more entries in one append than a frame holds; and an answer too large for a frame
/// is a typed refusal, not a retry until the deadline.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class LargeValueReplicationTests
{
    private const int Frame = 256 * 1024;

    private const int Value = 40 * 1024;

    /// <summary>Frames of 256 KiB stand in for the default 64 MiB, and 40 KiB values for 1 MiB ones.</summary>
    private static SimTubeCluster SmallFrames(ulong seed) => new(seed)
    {
        SnapshotEveryEntries = 0,
        ConfigureReplica = o => o.Rpc.MaxFrameBytes = Frame,
    };

    [Fact]
    public void AFollowerThatMissedManyLargeWritesCatchesUp()
    {
        // 20 missed writes make 800 KiB, which no single append can carry.
        var cluster = SmallFrames(81);
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
                await cluster.OnClient(() => client.PutAsync("t", Encoding.UTF8.GetBytes("k" + i), new byte[Value]));
            }

            await cluster.RestartAsync(behind);
            await cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(30));
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void AnAnswerLargerThanAFrameIsRefusedAtOnceAndALimitedScanWorks()
    {
        var cluster = SmallFrames(82);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    await client.PutAsync("t", Encoding.UTF8.GetBytes("k" + i), new byte[Value]);
                }

                DateTimeOffset start = cluster.ClientNode.TimeProvider.GetUtcNow();
                var refused = await Assert.ThrowsAsync<ValueTooLargeException>(() => client.RangeAsync("t", [], null));
                Assert.Contains("MaxFrameBytes", refused.Message);
                TimeSpan took = cluster.ClientNode.TimeProvider.GetUtcNow() - start;
                Assert.True(took < TimeSpan.FromSeconds(1), $"the refusal took {took}");
                KvResult page = await client.RangeAsync("t", [], null, limit: 3);
                Assert.Equal((3, true), (page.Items!.Count, page.More));
            });
            await cluster.StopAllAsync();
        });
    }
}
