using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>
/// Durable hints (<see cref="RaftMessage.PeersDurable"/>, <see cref="RaftNode.SendDurableNotices"/>): a follower commits
/// a write of the current term once the leader says the others hold it durably and its own copy is durable, before
/// the leader hears of it; a read takes the highest hint sent as its index when that is past the commit index.
/// </summary>
public sealed class DurableHintTests
{
    [Fact]
    public void AFollowerCommitsFromTheDurableNoticeOnceItsOwnCopyIsDurableBeforeTheLeaderKnows()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.DeferCommitNotices = true);
        ulong leader = cluster.ElectLeader();
        cluster.Stabilize();
        long index = ProposeAndNotify(cluster, leader);

        Assert.Contains(cluster.Pending, m => m.Type == RaftMessageType.Append && m.PeersDurable == index);
        cluster.DeliverAll(); // the entry and the notice reach both followers; nothing is durable there yet
        Assert.All(Followers(cluster, leader), id => Assert.True(cluster.Node(id).CommitIndex < index));

        cluster.Process(); // the followers' copies become durable
        Assert.All(Followers(cluster, leader), id => Assert.Equal(index, cluster.Node(id).CommitIndex));
        Assert.True(cluster.Node(leader).CommitIndex < index, "the leader has not seen any acknowledgement yet");

        cluster.Process();
        Assert.All(Followers(cluster, leader), id => Assert.Contains(cluster.Applied[id - 1], e => e.Index == index));
    }

    [Fact]
    public void WithoutTheNoticeAFollowerWaitsForTheLeadersCommitIndex()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.DeferCommitNotices = true);
        ulong leader = cluster.ElectLeader();
        cluster.Stabilize();
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(leader, 1));
        long index = cluster.Node(leader).LastIndex;
        cluster.Process(); // the append leaves before the leader's own copy is durable: its hint is older
        cluster.DeliverAll(m => m.Type == RaftMessageType.Append);
        cluster.Process();
        Assert.All(Followers(cluster, leader), id => Assert.True(cluster.Node(id).CommitIndex < index));
    }

    [Fact]
    public void WithoutNoticesAReadTakesTheCommitIndex()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        cluster.Stabilize();
        long committed = cluster.Node(leader).CommitIndex;
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(leader, 1));
        cluster.Filter = m => m.Type != RaftMessageType.AppendResponse;
        cluster.Process();
        cluster.DeliverAll();
        cluster.Process();

        Assert.True(cluster.Node(leader).ReadIndex(7));
        cluster.Stabilize();
        ReadState read = Assert.Single(cluster.ReadStates[leader - 1], r => r.RequestId == 7);
        Assert.Equal(committed, read.Index);
        Assert.All(cluster.Sent, m => Assert.Equal(0, m.PeersDurable));
    }

    [Fact]
    public void AReadAfterANoticeTakesTheHintAsItsIndex()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        cluster.Stabilize();
        long index = ProposeAndNotify(cluster, leader);
        cluster.Filter = m => m.Type != RaftMessageType.AppendResponse; // the leader never learns of the commit
        cluster.DeliverAll();
        cluster.Process();
        Assert.True(cluster.Node(leader).CommitIndex < index);

        Assert.True(cluster.Node(leader).ReadIndex(7));
        cluster.Stabilize();
        ReadState read = Assert.Single(cluster.ReadStates[leader - 1], r => r.RequestId == 7);
        Assert.Equal(index, read.Index);
    }

    [Fact]
    public void AMembershipChangeWaitsUntilTheLeaderHasCommittedEveryHintItSent()
    {
        var cluster = new TestCluster(voters: 3, extraNodes: 1);
        ulong leader = cluster.ElectLeader();
        cluster.TickAll(2); // followers report the re-stamped configuration
        long index = ProposeAndNotify(cluster, leader);
        cluster.Filter = m => m.Type != RaftMessageType.AppendResponse;
        cluster.DeliverAll();
        cluster.Process();
        Assert.True(cluster.Node(leader).CommitIndex < index);
        Assert.Equal(MembershipChangeResult.NotReady,
            cluster.Node(leader).ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));

        cluster.Filter = null;
        cluster.TickAll(3);
        Assert.True(cluster.Node(leader).CommitIndex >= index);
        Assert.Equal(MembershipChangeResult.Accepted,
            cluster.Node(leader).ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));
    }

    [Fact]
    public void AShadowGetsNoHint()
    {
        var cluster = new TestCluster(voters: 3, extraNodes: 1);
        ulong leader = cluster.ElectLeader();
        cluster.TickAll(2);
        Assert.Equal(MembershipChangeResult.Accepted,
            cluster.Node(leader).ProposeMembershipChange(MembershipChangeKind.AddShadow, 4));
        cluster.TickAll(5);
        cluster.Sent.Clear();
        ProposeAndNotify(cluster, leader);
        Assert.All(cluster.Sent.Where(m => m.To == 4 && m.Type == RaftMessageType.Append),
            m => Assert.Equal(0, m.PeersDurable));
        Assert.Contains(cluster.Sent, m => m.To != 4 && m.Type == RaftMessageType.Append && m.PeersDurable > 0);
    }

    [Fact]
    public void AHintNeverCommitsAnEntryOfAnEarlierTerm()
    {
        // Figure 8 of the Raft paper: an entry of term 2 that the leader of term 4 has copied to a majority may still
        // be overwritten, so counting copies commits only entries of the current term (which then commit the rest).
        RaftNode follower = FollowerOfFive();
        Step(follower, leader: 1, term: 4, prevIndex: 0, prevTerm: 0, [Entry(term: 2, index: 1)], hint: 1);
        Persist(follower);
        Assert.Equal(0, follower.CommitIndex);

        Step(follower, leader: 1, term: 4, prevIndex: 1, prevTerm: 2, [Entry(term: 4, index: 2)], hint: 2);
        Persist(follower);
        Assert.Equal(2, follower.CommitIndex);
    }

    [Fact]
    public void AHintOfAnEarlierTermIsForgotten()
    {
        RaftNode follower = FollowerOfFive();
        // The leader of term 4 says the others hold up to 9; this follower has only entries 1 and 2 of it.
        Step(follower, leader: 1, term: 4, prevIndex: 0, prevTerm: 0,
            [Entry(term: 4, index: 1), Entry(term: 4, index: 2)], hint: 9);
        Persist(follower);
        Assert.Equal(2, follower.CommitIndex);

        // A new leader of term 5 sends entry 3 with no hint: nothing in term 5 says it is on a quorum.
        Step(follower, leader: 2, term: 5, prevIndex: 2, prevTerm: 4, [Entry(term: 5, index: 3)], hint: 0);
        Persist(follower);
        Assert.Equal(2, follower.CommitIndex);
    }

    [Fact]
    public void AHintCommitsNothingBeyondWhatTheFollowerHoldsDurably()
    {
        RaftNode follower = FollowerOfFive();
        Step(follower, leader: 1, term: 4, prevIndex: 0, prevTerm: 0,
            [Entry(term: 4, index: 1), Entry(term: 4, index: 2)], hint: 2);
        Assert.Equal(0, follower.CommitIndex); // not yet written
        Persist(follower);
        Assert.Equal(2, follower.CommitIndex);
    }

    /// <summary>Node 3 of five voters, fresh.</summary>
    private static RaftNode FollowerOfFive() => new(new RaftOptions
    {
        NodeId = 3, Random = new Random(3), InitialMembership = new Membership([1, 2, 3, 4, 5], [], 0, 1),
    });

    private static LogEntry Entry(long term, long index) => new(term, index, LogEntryKind.Command, new byte[] { 1 });

    /// <summary>Hands <paramref name="node"/> an append, quiet when it carries a hint (as a durable notice
    /// would).</summary>
    private static void Step(RaftNode node, ulong leader, long term, long prevIndex, long prevTerm,
        LogEntry[] entries, long hint) => node.Step(new RaftMessage
        {
            Type = RaftMessageType.Append, From = leader, To = node.Id, Term = term, LogIndex = prevIndex,
            LogTerm = prevTerm, Entries = entries, PeersDurable = hint, Quiet = hint > 0,
            Membership = new Membership([1, 2, 3, 4, 5], [], term, 1),
        });

    /// <summary>The host's part: writes what the node hands out (and applies it), then advances.</summary>
    private static void Persist(RaftNode node)
    {
        while (node.HasReady())
        {
            node.Advance(node.GetReady());
        }
    }

    /// <summary>Proposes one entry, lets the leader write it, and has it send durable notices; returns the
    /// index.</summary>
    private static long ProposeAndNotify(TestCluster cluster, ulong leader)
    {
        Assert.Equal(ProposeResult.Accepted, cluster.Propose(leader, 1));
        long index = cluster.Node(leader).LastIndex;
        cluster.Process();
        cluster.Node(leader).SendDurableNotices();
        cluster.Process();
        return index;
    }

    private static IEnumerable<ulong> Followers(TestCluster cluster, ulong leader) =>
        cluster.Hosts.Select(h => h.Id).Where(id => id != leader);
}
