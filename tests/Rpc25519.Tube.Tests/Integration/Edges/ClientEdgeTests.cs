using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>The TubeClient itself under hostile use on a running SimNet cluster: cancelled tokens, deadlines
/// shorter than a round trip, many tasks at once, and use after disposal.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class ClientEdgeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void AnAlreadyCancelledTokenCancelsAtOnceAndSendsNothing()
    {
        EdgeCluster.Run(seed: 51, async (cluster, client) =>
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            DateTimeOffset start = cluster.ClientNode.TimeProvider.GetUtcNow();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => client.PutAsync("t", B("k"), B("v"), cancellationToken: cancelled.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => client.GetAsync("t", B("k"), cancellationToken: cancelled.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => client.OpenSessionAsync(cancelled.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetStatusAsync(null, cancelled.Token));
            Assert.Equal(TimeSpan.Zero, cluster.ClientNode.TimeProvider.GetUtcNow() - start);
            Assert.Equal(0, client.SessionId);

            // Nothing was applied, and the client goes on.
            KvItem put = await client.PutAsync("t", B("k"), B("v"));
            Assert.Equal(1, put.Version);
        });
    }

    [Fact]
    public void CancellingWhileTheSessionOpensEndsTheWaitAtOnce()
    {
        EdgeCluster.Run(seed: 52, async (cluster, client) =>
        {
            // The client node is cut off: the session's opening cannot finish.
            SimNet.SimUndo cut = cluster.Network.Isolate(cluster.ClientNode);
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100),
                cluster.ClientNode.TimeProvider);
            DateTimeOffset start = cluster.ClientNode.TimeProvider.GetUtcNow();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => client.PutAsync("t", B("k"), B("v"), cancellationToken: cancel.Token));
            TimeSpan took = cluster.ClientNode.TimeProvider.GetUtcNow() - start;
            Assert.True(took < TimeSpan.FromMilliseconds(400), $"the cancelled put took {took}");
            cut.Undo();
            Assert.Equal(1, (await client.PutAsync("t", B("k"), B("v"))).Version);
        });
    }

    [Fact]
    public void ADeadlineShorterThanARoundTripGivesATypedErrorAndTheNextCallWorks()
    {
        EdgeCluster.Run(seed: 53, async (cluster, client) =>
        {
            await using TubeClient hasty = await cluster.NewClientAsync(operationTimeout: TimeSpan.FromTicks(1));
            var error = await Assert.ThrowsAnyAsync<TubeException>(() => hasty.PutAsync("t", B("k"), B("v")));
            Assert.True(error is TubeUnavailableException or NoQuorumException or NotLeaderException,
                error.GetType().Name);
            await Assert.ThrowsAnyAsync<TubeException>(() => hasty.GetStatusAsync());
            Assert.Equal(1, (await client.PutAsync("t", B("k"), B("v"))).Version);
        });
    }

    [Fact]
    public void ThirtyTwoTasksOnOneClientEachApplyOnce()
    {
        EdgeCluster.Run(seed: 54, async (cluster, client) =>
        {
            var tasks = Enumerable.Range(0, 32).Select(async i =>
            {
                KvItem first = await client.PutAsync("t", B("k" + i), B("a"));
                KvItem second = await client.CompareAndSwapAsync("t", B("k" + i), B("b"), expectedVersion: 1);
                KvItem? read = await client.GetAsync("t", B("k" + i));
                return (first.Version, second.Version, Value: Encoding.UTF8.GetString(read!.Value!));
            }).ToList();
            var results = new List<(long, long, string)>();
            foreach (var task in tasks)
            {
                results.Add(await task);
            }

            Assert.All(results, r => Assert.Equal((1L, 2L, "b"), r));
            Assert.Equal(32, (await client.ListKeysAsync("t")).Keys!.Count);
        });
    }

    [Fact]
    public void AClientUsedAfterDisposalThrowsObjectDisposed()
    {
        EdgeCluster.Run(seed: 55, async (cluster, client) =>
        {
            TubeClient gone = await cluster.NewClientAsync();
            await gone.PutAsync("t", B("k"), B("v"));
            await gone.DisposeAsync();
            await gone.DisposeAsync();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => gone.PutAsync("t", B("k"), B("v2")));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => gone.GetAsync("t", B("k")));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => gone.GetStatusAsync());
            await Assert.ThrowsAsync<ObjectDisposedException>(() => gone.KeepAliveAsync());
            Assert.Null(gone.ConnectedTo);
            Assert.Equal(1, (await client.GetAsync("t", B("k")))!.Version);
        });
    }
}
