using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>Leadership transfer (§3.10), which the original Tube never finished.</summary>
public sealed class TransferTests
{
    [Fact]
    public void TransferHandsLeadershipToTheTarget()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        ulong target = TestCluster.FollowerOf(leaderId);
        long term = cluster.Node(leaderId).Term;
        cluster.Propose(leaderId, 1);
        Assert.True(cluster.Node(leaderId).TransferLeadership(target));
        cluster.Stabilize();
        Assert.Equal(RaftRole.Leader, cluster.Node(target).Role);
        Assert.Equal(term + 1, cluster.Node(target).Term);
        Assert.Equal(target, cluster.Node(leaderId).LeaderId);
    }

    [Fact]
    public void ProposalsAreRefusedWhileATransferRunsAndResumeWhenItTimesOut()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        ulong target = TestCluster.FollowerOf(leaderId);
        cluster.Cut(leaderId, target);
        Assert.True(cluster.Node(leaderId).TransferLeadership(target));
        Assert.Equal(ProposeResult.TransferInProgress, cluster.Propose(leaderId, 1));
        cluster.TickAll(11);
        Assert.Equal(RaftRole.Leader, cluster.Node(leaderId).Role);
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(leaderId, 2));
    }

    [Fact]
    public void TransferOnlyGoesToAVoter()
    {
        var cluster = new TestCluster(voters: 3, extraNodes: 1);
        var leader = cluster.Node(cluster.ElectLeader());
        Assert.False(leader.TransferLeadership(4));
        Assert.False(leader.TransferLeadership(leader.Id));
    }
}
