using System.Text;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// A write cancelled, or out of time, while it is being retried across a leader crash (its request reached the
/// leader, the answers were lost): the caller gets the cancellation or a typed error, the client goes on working
/// with the same session, and the write was applied once or not at all, also later.
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class CancelAcrossLeaderChangeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AWriteEndedMidRetryIsAppliedAtMostOnceAndTheClientGoesOn(bool byDeadline)
    {
        var cluster = new SimTubeCluster(seed: 91);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            TubeClient client = await cluster.NewClientAsync(followerReplies: false,
                operationTimeout: byDeadline ? TimeSpan.FromMilliseconds(900) : TimeSpan.FromSeconds(5));
            await cluster.OnClient(() => client.PutAsync("t", B("warm"), B("up")));
            long session = client.SessionId;

            SimUndo mute = cluster.Network.PartitionOneWay(cluster.Nodes, [cluster.ClientNode]);
            DateTimeOffset start = cluster.Clock.GetUtcNow();
            Task<Exception> ending = cluster.OnClient(async () =>
            {
                using var cancel = new CancellationTokenSource(
                    byDeadline ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(900),
                    cluster.ClientNode.TimeProvider);
                return await Assert.ThrowsAnyAsync<Exception>(
                    () => client.PutAsync("t", B("once"), B("x"), cancellationToken: cancel.Token));
            });
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(500)); // past the first attempt
            cluster.Crash(leader);
            Exception ended = await ending;
            TimeSpan took = cluster.Clock.GetUtcNow() - start;
            if (byDeadline)
            {
                Assert.True(ended is TubeUnavailableException or NoQuorumException or NotLeaderException,
                    ended.ToString());
            }
            else
            {
                Assert.IsAssignableFrom<OperationCanceledException>(ended);
            }

            Assert.InRange(took, TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(1500));

            mute.Undo();
            await cluster.RestartAsync(leader);
            await cluster.WaitForLeaderAsync();
            KvItem next = await cluster.OnClient(() => client.PutAsync("t", B("after"), B("y")));
            Assert.Equal(1, next.Version);
            Assert.Equal(session, client.SessionId);
            KvItem? once = await cluster.OnClient(() => client.GetAsync("t", B("once")));
            Assert.True(once is null || once.Version == 1, $"version {once?.Version}");
            await cluster.DelayAsync(TimeSpan.FromSeconds(2));
            KvItem? later = await cluster.OnClient(() => client.GetAsync("t", B("once")));
            Assert.Equal(once?.Version, later?.Version);
            await cluster.WaitForConvergenceAsync();
            await cluster.OnClient(async () => await client.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void ACancelWhileTheClientIsStillConnectingEndsTheCallAtOnce()
    {
        var cluster = new SimTubeCluster(seed: 92);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            // A connect gives up after the attempt timeout (2 s here); the caller's cancel must not wait for that.
            TubeClient client = await cluster.NewClientAsync(attemptTimeout: TimeSpan.FromSeconds(2));
            SimUndo cut = cluster.Network.Isolate(cluster.ClientNode);
            DateTimeOffset start = cluster.Clock.GetUtcNow();
            await cluster.OnClient(async () =>
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100),
                    cluster.ClientNode.TimeProvider);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(
                    () => client.GetStatusAsync(cancellationToken: cancel.Token));
            });
            TimeSpan took = cluster.Clock.GetUtcNow() - start;
            Assert.True(took < TimeSpan.FromMilliseconds(200), $"the cancel took {took}");
            cut.Undo();
            Assert.NotNull(await cluster.OnClient(() => client.GetStatusAsync()));
            await cluster.OnClient(async () => await client.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }
}
