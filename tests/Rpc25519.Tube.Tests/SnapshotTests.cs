using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>Compaction, chunked snapshot transfer, and restart from a snapshot plus entries.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public void FollowerBehindTheCompactionPointReceivesTheSnapshotInChunks()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.SnapshotChunkBytes = 8);
        ulong leaderId = cluster.ElectLeader();
        ulong lagging = cluster.IsolateFollowerAndPropose(leaderId, 20);
        var leader = cluster.Node(leaderId);
        var state = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var snapshot = leader.Compact(leader.AppliedIndex, state);
        cluster.Propose(leaderId, 99);
        cluster.Stabilize();

        cluster.Heal();
        cluster.Sent.Clear();
        cluster.TickAll(5);
        int chunks = cluster.Sent.Count(m => m.Type == RaftMessageType.SnapshotChunk && m.To == lagging);
        Assert.True(chunks >= 13, $"expected 100 bytes in 8-byte chunks, saw {chunks} chunk messages");
        var installed = cluster.Hosts[lagging - 1].Storage.Snapshot;
        Assert.NotNull(installed);
        Assert.Equal(snapshot.Index, installed.Index);
        Assert.Equal(state, installed.Data.ToArray());
        Assert.Equal(leader.LastIndex, cluster.Node(lagging).LastIndex);
        Assert.Equal(leader.CommitIndex, cluster.Hosts[lagging - 1].Applied);
    }

    [Fact]
    public void CompactionCannotPassTheAppliedIndex()
    {
        var cluster = new TestCluster(voters: 1);
        var node = cluster.Node(cluster.ElectLeader());
        cluster.Propose(1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => node.Compact(node.LastIndex, new byte[1]));
        cluster.Stabilize();
        node.Compact(node.AppliedIndex, new byte[1]);
        Assert.Equal(node.AppliedIndex, node.SnapshotIndex);
    }

    [Fact]
    public void RestartLoadsSnapshotAndLaterEntries()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        ulong follower = TestCluster.FollowerOf(leaderId);
        for (int i = 0; i < 10; i++)
        {
            cluster.Propose(leaderId, i);
        }

        cluster.TickAll(2);
        var host = cluster.Hosts[follower - 1];
        var snapshot = host.Node.Compact(host.Node.AppliedIndex - 3, new byte[] { 1, 2, 3 });
        host.Storage.Compact(snapshot);
        long last = host.Node.LastIndex;
        cluster.Crash(follower);
        cluster.Restart(follower);
        Assert.Equal(last, cluster.Node(follower).LastIndex);
        Assert.Equal(snapshot.Index, cluster.Node(follower).SnapshotIndex);
        cluster.Stabilize();
        Assert.Equal(3, cluster.Applied[follower - 1].Count); // It re-applies only what follows the snapshot.
    }
}
