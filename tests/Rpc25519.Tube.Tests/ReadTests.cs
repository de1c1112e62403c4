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
    public void LeaseReadTakesAQuorumRoundWhileTheHostOwesTicks()
    {
        // The host contract says missed ticks come first; the core enforces it for leases. A host whose clock counted
        // a pause of 30 ticks that it has not delivered yet gets a quorum round, not an answer from a lease that
        // only looks valid because the core's clock stood still.
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        cluster.TickAll(2);
        cluster.Pending.Clear();
        cluster.Hosts[leaderId - 1].ClockTicks += 30;
        Assert.True(cluster.Node(leaderId).LeaseRead(5));
        Assert.True(cluster.Node(leaderId).LeaseRead(6)); // A forwarded read takes the same path.
        cluster.Process();
        Assert.Empty(cluster.ReadStates[leaderId - 1]);
        Assert.Contains(cluster.Pending, m => m.Type == RaftMessageType.Heartbeat);
    }

    [Fact]
    public void LeaseReadWithoutAHostClockIsAReadIndex()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.HostClock = null);
        ulong leaderId = cluster.ElectLeader();
        cluster.TickAll(2);
        cluster.Pending.Clear();
        Assert.True(cluster.Node(leaderId).LeaseRead(5));
        cluster.Process();
        Assert.Empty(cluster.ReadStates[leaderId - 1]);
        cluster.Stabilize();
        Assert.Single(cluster.ReadStates[leaderId - 1], r => r.RequestId == 5);
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
        var leader = cluster.ElectLeaderThatCannotCommit();
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
