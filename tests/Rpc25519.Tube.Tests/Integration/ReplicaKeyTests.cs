using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary><see cref="TubeReplicaOptions.ReplicaKey"/>: replicas that share a key work as before and drop Raft
/// messages from anyone without it; without a key, the same forged message reaches the core.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class ReplicaKeyTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))];

    [Fact]
    public void WithAReplicaKeyAForgedAppendIsDroppedAndTheClusterServes()
    {
        var cluster = new SimTubeCluster(seed: 41) { ConfigureReplica = options => options.ReplicaKey = Key };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            TubeStatus before = await cluster.Replica(leader)!.GetStatusAsync();
            await ForgeAppendAsync(cluster, leader, before.Term, tagWith: [.. Key.Reverse()]);
            await ForgeAppendAsync(cluster, leader, before.Term, tagWith: null);

            await cluster.AssertServesAsync();
            TubeStatus after = await cluster.Replica(leader)!.GetStatusAsync();
            Assert.Equal((RaftRole.Leader, before.Term), (after.Role, after.Term));
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void WithoutAReplicaKeyTheSameForgedAppendReachesTheCore()
    {
        var cluster = new SimTubeCluster(seed: 41);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            TubeStatus status = await cluster.Replica(leader)!.GetStatusAsync();
            await ForgeAppendAsync(cluster, leader, status.Term, tagWith: null);
            await cluster.DelayAsync(TimeSpan.FromMilliseconds(200));

            // A second leader in the leader's own term breaks a Raft invariant: the core stops the replica.
            Assert.True(cluster.Replica(leader)!.Completion.IsFaulted);
            Assert.Contains("Two leaders", cluster.Replica(leader)!.Completion.Exception!.GetBaseException().Message);
        });
    }

    [Fact]
    public void AShortKeyIsRefused()
    {
        var options = new TubeReplicaOptions { ReplicaKey = new byte[TubeReplicaOptions.MinReplicaKeyBytes - 1] };
        Assert.Contains("at least 32", Assert.Throws<ArgumentException>(() => options.Validate()).Message);
    }

    /// <summary>Sends the leader, from a connection that is not a replica, an append that claims another member
    /// leads the leader's own term; tagged under <paramref name="tagWith"/> (null: untagged).</summary>
    private static Task ForgeAppendAsync(SimTubeCluster cluster, int leader, long term, byte[]? tagWith)
    {
        RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
        options.ServerAddress = cluster.Address(leader);
        ulong impostor = cluster.Ids[(leader + 1) % cluster.Ids.Length];
        var forged = new RaftMessage
        {
            Type = RaftMessageType.Append, From = impostor, To = cluster.Ids[leader], Term = term, LogIndex = 1,
            LogTerm = 1,
        };
        return cluster.OnClient(async () =>
        {
            await using RpcClient raw = await RpcClient.ConnectAsync(options);
            var message = new Message
            {
                Payload = RaftMessageSeal.Seal(RaftWireCodec.Encode(forged), RaftMessageSeal.DeriveKey(tagWith)),
            };
            message.Header.ServiceName = TubeServiceNames.Raft;
            await raw.SendAsync(message);
        });
    }
}
