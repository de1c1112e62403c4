using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>Elections: Raft §3.4 and §9.6 (pre-vote), plus sticky leader, check-quorum and the restart quiet
/// period.</summary>
public sealed class ElectionTests
{
    [Fact]
    public void SingleVoterElectsItselfAndCommitsANoOp()
    {
        var cluster = new TestCluster(voters: 1);
        ulong leader = cluster.ElectLeader();
        Assert.Equal(1UL, leader);
        Assert.Equal(1, cluster.Node(1).Term);
        var first = Assert.Single(cluster.Applied[0]);
        Assert.Equal(LogEntryKind.NoOp, first.Kind);
    }

    [Fact]
    public void ThreeNodesElectOneLeaderWithPersistedVotes()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        Assert.Single(cluster.Hosts, h => h.Node.Role == RaftRole.Leader);
        long term = cluster.Node(leader).Term;
        int votesForLeader = cluster.Hosts.Count(h => h.Storage.HardState.Term == term
            && h.Storage.HardState.VotedFor == leader);
        Assert.True(votesForLeader >= 2, $"only {votesForLeader} persisted votes for the leader");
        Assert.All(cluster.Hosts, h => Assert.Equal(leader, h.Node.LeaderId));
    }

    [Fact]
    public void NewLeaderStartsItsTermWithANoOp()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        var node = cluster.Node(leader);
        var last = node.Log.At(node.LastIndex);
        Assert.Equal(LogEntryKind.NoOp, last.Kind);
        Assert.Equal(node.Term, last.Term);
    }

    [Fact]
    public void PreVoteKeepsAnIsolatedNodeFromRaisingItsTerm()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        long term = cluster.Node(leader).Term;
        ulong follower = TestCluster.FollowerOf(leader);
        cluster.Isolate(follower);
        cluster.TickAll(100);
        Assert.Equal(term, cluster.Node(follower).Term);

        cluster.Heal();
        cluster.TickAll(30);
        Assert.Equal(leader, cluster.Node(follower).LeaderId);
        Assert.Equal(term, cluster.Node(leader).Term); // The rejoining node did not disrupt the leader.
    }

    [Fact]
    public void StickyFollowerIgnoresVoteRequestsWhileItHearsTheLeader()
    {
        var (node, candidate, term) = VoteRequestToAFollower(transfer: false);
        Assert.Equal(term, node.Term);
        Assert.DoesNotContain(node.GetReady().Messages, m => m.To == candidate);
    }

    [Fact]
    public void TransferVoteRequestsBypassStickiness()
    {
        var (node, candidate, term) = VoteRequestToAFollower(transfer: true);
        Assert.Equal(term + 5, node.Term);
        Assert.Equal(candidate, node.Vote);
        var ready = node.GetReady();
        Assert.Equal(candidate, ready.HardState!.Value.VotedFor); // The vote is persisted with the reply.
        Assert.Contains(ready.Messages, m => m.Type == RaftMessageType.VoteResponse && !m.Reject);
    }

    [Fact]
    public void RestartedNodeRefusesVotesForOneElectionTimeout()
    {
        var membership = new Membership([1, 2, 3], [], 0, 1);
        var node = new RaftNode(new RaftOptions { NodeId = 1, Random = new Random(5), InitialMembership = membership });
        node.Step(VoteRequest(2, 1, 3, transfer: false, membership));
        Assert.Equal(0, node.Term);

        for (int i = 0; i < 10; i++)
        {
            node.Tick();
        }

        node.Step(VoteRequest(2, 1, 3, transfer: false, membership));
        Assert.Equal(3, node.Term);
        Assert.Equal(2UL, node.Vote);
    }

    [Fact]
    public void CheckQuorumMakesAnIsolatedLeaderStepDown()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        cluster.Isolate(leader);
        cluster.TickAll(21);
        Assert.NotEqual(RaftRole.Leader, cluster.Node(leader).Role);
    }

    [Fact]
    public void VoterRefusesACandidateWithAnOlderConfiguration()
    {
        var newer = new Membership([1, 2, 3], [], 4, 7);
        var older = new Membership([1, 2, 3], [], 4, 6);
        var node = QuietNode(newer);
        node.Step(VoteRequest(2, 1, 9, transfer: false, older));
        Assert.Equal(0UL, node.Vote);
        Assert.Contains(node.GetReady().Messages, m => m.Type == RaftMessageType.VoteResponse && m.Reject);
    }

    [Fact]
    public void VoterRefusesACandidateWithAShorterLog()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        ulong follower = TestCluster.FollowerOf(leader);
        var node = cluster.Node(follower);
        var request = VoteRequest(6 - leader - follower, follower, node.Term + 1, transfer: true, node.Membership)
            with { LogIndex = 0, LogTerm = 0 };
        node.Step(request);
        Assert.NotEqual(request.From, node.Vote);
    }

    /// <summary>In a healthy 3-node cluster, one follower gets a vote request 5 terms ahead from the other.</summary>
    private static (RaftNode Node, ulong Candidate, long TermBefore) VoteRequestToAFollower(bool transfer)
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        ulong follower = TestCluster.FollowerOf(leader);
        ulong candidate = 6 - leader - follower;
        var node = cluster.Node(follower);
        long term = node.Term;
        node.Step(VoteRequest(candidate, follower, term + 5, transfer, node.Membership));
        return (node, candidate, term);
    }

    internal static RaftNode QuietNode(Membership membership, ulong id = 1)
    {
        var node = new RaftNode(new RaftOptions
        {
            NodeId = id, Random = new Random(5), InitialMembership = membership,
        });
        for (int i = 0; i < 10; i++)
        {
            node.Tick(); // Past the restart quiet period, before the randomized timeout ends.
        }

        return node;
    }

    internal static RaftMessage VoteRequest(ulong from, ulong to, long term, bool transfer, Membership membership)
        => new()
    {
        Type = RaftMessageType.Vote, From = from, To = to, Term = term, LogIndex = 1_000, LogTerm = 1_000,
        Membership = membership, Transfer = transfer,
    };
}
