using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>Reads without log writes: ReadIndex (§6.4), lease reads (§6.4.1), and follower reads.</summary>
public sealed class ReadTests
{
    [Fact]
    public void ReadIndexIsAnsweredOnlyAfterAQuorumRound()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        Assert.True(cluster.Node(leaderId).ReadIndex(7));
        cluster.Process();
        Assert.Empty(cluster.ReadStates[leaderId - 1]);
        Assert.Contains(cluster.Pending, m => m.Type == RaftMessageType.Heartbeat);
        cluster.Stabilize();
        var read = Assert.Single(cluster.ReadStates[leaderId - 1]);
        Assert.Equal(new ReadState(7, cluster.Node(leaderId).CommitIndex), read);
    }

    [Fact]
    public void IsolatedLeaderNeverAnswersAReadIndex()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        cluster.Isolate(leaderId);
        Assert.True(cluster.Node(leaderId).ReadIndex(7));
        cluster.TickAll(30);
        Assert.Empty(cluster.ReadStates[leaderId - 1]);
    }

    [Fact]
    public void FollowerReadIsForwardedToTheLeader()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        ulong follower = TestCluster.FollowerOf(leaderId);
        cluster.Propose(leaderId, 3);
        cluster.Stabilize();
        Assert.True(cluster.Node(follower).ReadIndex(11));
        cluster.Stabilize();
        var read = Assert.Single(cluster.ReadStates[follower - 1]);
        Assert.Equal(11UL, read.RequestId);
        Assert.Equal(cluster.Node(leaderId).CommitIndex, read.Index);
        Assert.Contains(cluster.Sent, m => m.Type == RaftMessageType.ReadIndex && m.From == follower);
    }

    [Fact]
    public void FollowerWithoutALeaderRefusesReads()
    {
        var node = TestCluster.LoneNode();
        Assert.False(node.ReadIndex(1));
        Assert.False(node.LeaseRead(2));
    }

    [Fact]
    public void LeaseReadIsAnsweredAtOnceWhileTheLeaseHolds()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        cluster.TickAll(2); // Heartbeats acknowledged by both followers.
        cluster.Pending.Clear();
        Assert.True(cluster.Node(leaderId).LeaseRead(5));
        cluster.Process();
        Assert.Single(cluster.ReadStates[leaderId - 1], r => r.RequestId == 5);
        Assert.DoesNotContain(cluster.Pending, m => m.Type == RaftMessageType.Heartbeat);
    }

    [Fact]
    public void LeaseRunsOutBeforeAnotherLeaderCouldBeElected()
    {
        // E = 10 and drift = 2: the lease ends 8 ticks after the last acknowledged heartbeat was sent.
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        cluster.TickAll(1);
        cluster.Isolate(leaderId);
        var leader = cluster.Node(leaderId);
        cluster.TickAll(7);
        Assert.True(leader.LeaseRead(1));
        cluster.Process();
        Assert.Single(cluster.ReadStates[leaderId - 1], r => r.RequestId == 1);

        cluster.TickAll(1);
        if (leader.Role == RaftRole.Leader)
        {
            Assert.True(leader.LeaseRead(2)); // Falls back to a quorum round, which cannot finish.
        }

        cluster.TickAll(20);
        Assert.DoesNotContain(cluster.ReadStates[leaderId - 1], r => r.RequestId == 2);
    }

    [Fact]
    public void ReadsWaitForTheNewLeadersFirstCommit()
    {
        var cluster = new TestCluster(voters: 3);
        cluster.Filter = m => m.Type is not (RaftMessageType.AppendResponse or RaftMessageType.HeartbeatResponse);
        RaftNode? leader = null;
        for (int tick = 0; tick < 300 && leader is null; tick++)
        {
            cluster.TickAll();
            leader = cluster.Hosts.FirstOrDefault(h => h.Node.Role == RaftRole.Leader)?.Node;
        }

        Assert.NotNull(leader);
        Assert.True(leader.ReadIndex(3));
        cluster.TickAll(3);
        Assert.Empty(cluster.ReadStates[leader.Id - 1]);

        cluster.Filter = null;
        cluster.TickAll(3);
        var read = Assert.Single(cluster.ReadStates[leader.Id - 1]);
        Assert.True(read.Index >= leader.Log.SnapshotIndex);
        Assert.Equal(leader.Term, leader.Log.Term(read.Index));
    }
}
