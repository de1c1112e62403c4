using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>
/// How followers learn a new commit index: at once in an empty append (plain Raft), or, with
/// <see cref="RaftOptions.DeferCommitNotices"/>, in the next append, heartbeat or <see cref="RaftNode.SendCommitNotices"/>.
/// </summary>
public sealed class CommitNoticeTests
{
    [Fact]
    public void ByDefaultAnEmptyAppendTellsFollowersOfACommitAtOnce()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        long index = CommitOneEntry(cluster, leader);

        AssertEmptyNoticesPending(cluster, index);
        Assert.False(cluster.Node(leader).CommitNoticesOwed);
    }

    [Fact]
    public void DeferredNoticeWaitsAndTheNextAppendCarriesTheCommit()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.DeferCommitNotices = true);
        ulong leader = cluster.ElectLeader();
        long index = CommitOneEntry(cluster, leader);

        Assert.DoesNotContain(cluster.Pending, m => m.Type == RaftMessageType.Append);
        Assert.True(cluster.Node(leader).CommitNoticesOwed);
        Assert.All(Followers(cluster, leader), id => Assert.True(cluster.Node(id).CommitIndex < index));

        Assert.Equal(ProposeResult.Accepted, cluster.Propose(leader, 2));
        cluster.Process();
        var appends = cluster.Pending.Where(m => m.Type == RaftMessageType.Append).ToList();
        Assert.Equal(2, appends.Count);
        Assert.All(appends, m => Assert.Single(m.Entries));
        Assert.All(appends, m => Assert.Equal(index, m.Commit));
        Assert.False(cluster.Node(leader).CommitNoticesOwed);
        cluster.DeliverAll();
        cluster.Process();
        Assert.All(Followers(cluster, leader), id => Assert.Equal(index, cluster.Node(id).CommitIndex));
    }

    [Fact]
    public void SendCommitNoticesSendsEmptyAppendsOnlyWhileOwed()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.DeferCommitNotices = true);
        ulong leader = cluster.ElectLeader();
        long index = CommitOneEntry(cluster, leader);

        cluster.Node(leader).SendCommitNotices();
        cluster.Process();
        AssertEmptyNoticesPending(cluster, index);
        Assert.False(cluster.Node(leader).CommitNoticesOwed);

        cluster.Stabilize();
        Assert.All(Followers(cluster, leader), id => Assert.Equal(index, cluster.Node(id).CommitIndex));
        Assert.All(cluster.Applied, applied => Assert.Contains(applied, e => e.Index == index));

        cluster.Node(leader).SendCommitNotices();
        Assert.False(cluster.Process());
        Assert.Empty(cluster.Pending);
    }

    [Fact]
    public void AHeartbeatCarriesADeferredCommit()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.DeferCommitNotices = true);
        ulong leader = cluster.ElectLeader();
        long index = CommitOneEntry(cluster, leader);

        cluster.TickAll();
        Assert.All(Followers(cluster, leader), id => Assert.Equal(index, cluster.Node(id).CommitIndex));
        Assert.False(cluster.Node(leader).CommitNoticesOwed);
    }

    [Fact]
    public void ALeaseReadForAFollowerSendsTheOwedCommitBeforeTheAnswer()
    {
        // A follower serves a read once it has applied up to the read index; with the notice deferred it would not
        // know that index is committed until the next append or heartbeat.
        var cluster = new TestCluster(voters: 3, configure: o => o.DeferCommitNotices = true);
        ulong leader = cluster.ElectLeader();
        cluster.TickAll(2);
        long index = CommitOneEntry(cluster, leader);
        ulong follower = TestCluster.FollowerOf(leader);

        Assert.True(cluster.Node(follower).LeaseRead(7));
        cluster.Process();
        cluster.DeliverAll(m => m.Type == RaftMessageType.ReadIndex);
        cluster.Process();
        var toFollower = cluster.Pending.Where(m => m.To == follower).ToList();
        int notice = toFollower.FindIndex(m => m.Type == RaftMessageType.Append && m.Commit == index);
        int answer = toFollower.FindIndex(m => m.Type == RaftMessageType.ReadIndexResponse);
        Assert.True(notice >= 0 && answer > notice, string.Join(", ", toFollower));

        cluster.DeliverAll(m => m.To == follower);
        cluster.Process();
        Assert.Equal(index, cluster.Node(follower).CommitIndex);
        Assert.Single(cluster.ReadStates[follower - 1], r => r.RequestId == 7 && r.Index == index);
    }

    /// <summary>Proposes one entry and runs replication until the leader committed it, without delivering anything
    /// the commit itself causes; returns its index.</summary>
    private static long CommitOneEntry(TestCluster cluster, ulong leader)
    {
        cluster.Stabilize();
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(leader, 1));
        long index = cluster.Node(leader).LastIndex;
        cluster.Process();
        cluster.DeliverAll();
        cluster.Process();
        cluster.DeliverAll();
        cluster.Process();
        Assert.Equal(index, cluster.Node(leader).CommitIndex);
        return index;
    }

    /// <summary>Asserts that one empty append per follower, carrying <paramref name="index"/> as the commit index, is
    /// waiting to be delivered.</summary>
    private static void AssertEmptyNoticesPending(TestCluster cluster, long index)
    {
        var notices = cluster.Pending.Where(m => m.Type == RaftMessageType.Append).ToList();
        Assert.Equal(2, notices.Count);
        Assert.All(notices, m => Assert.Empty(m.Entries));
        Assert.All(notices, m => Assert.Equal(index, m.Commit));
    }

    private static IEnumerable<ulong> Followers(TestCluster cluster, ulong leader) =>
        cluster.Hosts.Select(h => h.Id).Where(id => id != leader);
}
