using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>Mongo-Raft-Reconfig: one server per change, the paper's conditions, shadows, removal, force mode.</summary>
public sealed class MembershipTests
{
    [Fact]
    public void ChangeWaitsUntilTheLeaderCommitsInItsTerm()
    {
        var cluster = new TestCluster(voters: 3, extraNodes: 1);
        // Acknowledgements are lost, so the no-op cannot commit.
        cluster.Filter = m => m.Type is not (RaftMessageType.AppendResponse or RaftMessageType.HeartbeatResponse);
        RaftNode? leader = null;
        for (int tick = 0; tick < 300 && leader is null; tick++)
        {
            cluster.TickAll();
            leader = cluster.Hosts.FirstOrDefault(h => h.Node.Role == RaftRole.Leader)?.Node;
        }

        Assert.NotNull(leader);
        Assert.Equal(MembershipChangeResult.NotReady,
            leader.ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));

        cluster.Filter = null;
        cluster.TickAll(3);
        Assert.Equal(MembershipChangeResult.Accepted,
            leader.ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));
    }

    [Fact]
    public void OnlyOneChangeAtATime()
    {
        var cluster = new TestCluster(voters: 3, extraNodes: 2);
        var leader = cluster.Node(cluster.ElectLeader());
        cluster.TickAll(2); // Followers report the re-stamped configuration.
        Assert.Equal(MembershipChangeResult.Accepted, leader.ProposeMembershipChange(MembershipChangeKind.AddVoter, 4));
        Assert.Equal(MembershipChangeResult.NotReady, leader.ProposeMembershipChange(MembershipChangeKind.AddVoter, 5));

        cluster.TickAll(3);
        Assert.Equal(MembershipChangeResult.Accepted, leader.ProposeMembershipChange(MembershipChangeKind.AddVoter, 5));
        cluster.TickAll(3);
        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5 }, leader.Membership.Voters);
        Assert.All(cluster.Hosts, h => Assert.True(h.Node.Membership.HasSameStamp(leader.Membership)));
    }

    [Fact]
    public void ChangesThatAreNotSingleServerStepsAreInvalid()
    {
        var cluster = new TestCluster(voters: 3);
        var leader = cluster.Node(cluster.ElectLeader());
        cluster.TickAll(2);
        Assert.Equal(MembershipChangeResult.Invalid, leader.ProposeMembershipChange(MembershipChangeKind.AddVoter, 2));
        Assert.Equal(MembershipChangeResult.Invalid,
            leader.ProposeMembershipChange(MembershipChangeKind.RemoveShadow, 9));
        Assert.Equal(MembershipChangeResult.Invalid, leader.ProposeMembershipChange(MembershipChangeKind.AddShadow, 0));
        var single = new TestCluster(voters: 1);
        var alone = single.Node(single.ElectLeader());
        single.TickAll(2);
        Assert.Equal(MembershipChangeResult.Invalid,
            alone.ProposeMembershipChange(MembershipChangeKind.RemoveVoter, 1));
        var follower = cluster.Hosts.First(h => h.Node.Role == RaftRole.Follower).Node;
        Assert.Equal(MembershipChangeResult.NotLeader,
            follower.ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));
    }

    [Fact]
    public void ShadowReplicatesButNeverCountsTowardCommit()
    {
        var cluster = new TestCluster(voters: 3, extraNodes: 1);
        ulong leaderId = cluster.ElectLeader();
        var leader = cluster.Node(leaderId);
        cluster.TickAll(2);
        Assert.Equal(MembershipChangeResult.Accepted,
            leader.ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));
        cluster.Propose(leaderId, 7);
        cluster.TickAll(3);
        Assert.Equal(leader.CommitIndex, cluster.Hosts[3].Applied);
        Assert.True(cluster.Node(4).Membership.IsShadow(4));

        foreach (var host in cluster.Hosts.Where(h => h.Id != leaderId && h.Id != 4))
        {
            cluster.Cut(leaderId, host.Id);
        }

        long commit = leader.CommitIndex;
        cluster.Propose(leaderId, 8);
        cluster.Stabilize();
        Assert.Equal(leader.LastIndex, cluster.Node(4).LastIndex); // The shadow stores it...
        Assert.Equal(commit, leader.CommitIndex); // ...but one voter and a shadow are no quorum.
    }

    [Fact]
    public void ShadowNeverCampaigns()
    {
        var cluster = new TestCluster(voters: 1, extraNodes: 1);
        var leader = cluster.Node(cluster.ElectLeader());
        cluster.TickAll(2);
        Assert.Equal(MembershipChangeResult.Accepted,
            leader.ProposeMembershipChange(MembershipChangeKind.AddShadow, 2));
        cluster.TickAll(3);
        long term = cluster.Node(2).Term;
        cluster.Crash(1);
        cluster.TickAll(200);
        Assert.Equal(RaftRole.Follower, cluster.Node(2).Role);
        Assert.Equal(term, cluster.Node(2).Term);
        Assert.DoesNotContain(cluster.Sent, m => m.From == 2
            && m.Type is RaftMessageType.PreVote or RaftMessageType.Vote);
    }

    [Fact]
    public void RemovedVoterBecomesAShadowAndKeepsReplicating()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        var leader = cluster.Node(leaderId);
        ulong removed = leaderId == 3 ? 2UL : 3UL;
        cluster.TickAll(2);
        Assert.Equal(MembershipChangeResult.Accepted,
            leader.ProposeMembershipChange(MembershipChangeKind.RemoveVoter, removed));
        cluster.Propose(leaderId, 5);
        cluster.TickAll(3);
        Assert.True(leader.Membership.IsShadow(removed));
        Assert.True(cluster.Node(removed).Membership.IsShadow(removed));
        Assert.Equal(leader.CommitIndex, cluster.Hosts[removed - 1].Applied);
    }

    [Fact]
    public void RemovedLeaderStepsDownAndARemainingVoterLeads()
    {
        var cluster = new TestCluster(voters: 3);
        ulong oldLeader = cluster.ElectLeader();
        var leader = cluster.Node(oldLeader);
        cluster.TickAll(2);
        Assert.Equal(MembershipChangeResult.Accepted,
            leader.ProposeMembershipChange(MembershipChangeKind.RemoveVoter, oldLeader));
        cluster.TickAll(30);
        Assert.NotEqual(RaftRole.Leader, leader.Role);
        ulong newLeader = cluster.ElectLeader();
        Assert.NotEqual(oldLeader, newLeader);
        Assert.False(cluster.Node(newLeader).Membership.IsVoter(oldLeader));
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(newLeader, 1));
        cluster.Stabilize();
        Assert.Equal(cluster.Node(newLeader).CommitIndex, cluster.Hosts[oldLeader - 1].Applied);
    }

    [Fact]
    public void ForceModeRescuesAClusterThatLostQuorum()
    {
        var cluster = new TestCluster(voters: 3);
        ulong survivor = cluster.ElectLeader();
        foreach (var host in cluster.Hosts.Where(h => h.Id != survivor))
        {
            cluster.Crash(host.Id);
        }

        cluster.TickAll(40);
        Assert.NotEqual(RaftRole.Leader, cluster.Node(survivor).Role);

        cluster.Node(survivor).ForceMembership([survivor], []);
        Assert.Equal(survivor, cluster.ElectLeader());
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(survivor, 9));
        cluster.Stabilize();
        Assert.Contains(cluster.Applied[survivor - 1], e => e.Kind == LogEntryKind.Command);
    }

    [Fact]
    public void FollowersAdoptOnlyNewerConfigurations()
    {
        var current = new Membership([1, 2, 3], [], 5, 4);
        var node = ElectionTests.QuietNode(current);
        var older = new Membership([1, 2], [], 5, 3);
        node.Step(new RaftMessage { Type = RaftMessageType.Heartbeat, From = 2, To = 1, Term = 6, Membership = older });
        Assert.Same(current, node.Membership);
        var newer = new Membership([1, 2, 3, 4], [], 6, 1);
        node.Step(new RaftMessage { Type = RaftMessageType.Heartbeat, From = 2, To = 1, Term = 6, Membership = newer });
        Assert.Same(newer, node.Membership);
        Assert.Same(newer, node.GetReady().Membership); // Persisted before the heartbeat answer goes out.
    }

    [Fact]
    public void MembershipOrdersByTermThenVersion()
    {
        var a = new Membership([1], [], 2, 9);
        var b = new Membership([1], [], 3, 1);
        Assert.True(b.IsNewerThan(a));
        Assert.False(a.IsNewerThan(b));
        Assert.Throws<ArgumentException>(() => new Membership([1, 2], [2], 0, 0));
        Assert.Equal(2, new Membership([1, 2, 3], [], 0, 0).Quorum);
    }
}
