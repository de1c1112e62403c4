using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>Log replication: batching, the current-term commit rule, fast conflict resolution, flow control.</summary>
public sealed class ReplicationTests
{
    [Fact]
    public void ProposalsMadeBetweenBatchesTravelInOneAppendPerFollower()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        cluster.Pending.Clear();
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(ProposeResult.Accepted, cluster.Propose(leader, i));
        }

        cluster.Process();
        var appends = cluster.Pending.Where(m => m.Type == RaftMessageType.Append).ToList();
        Assert.Equal(2, appends.Count);
        Assert.All(appends, m => Assert.Equal(50, m.Entries.Count));

        cluster.Stabilize();
        Assert.All(cluster.Applied, applied => Assert.Equal(50, applied.Count(e => e.Kind == LogEntryKind.Command)));
    }

    [Fact]
    public void FollowerRefusesProposals()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        ulong follower = TestCluster.FollowerOf(leader);
        Assert.Equal(ProposeResult.NotLeader, cluster.Propose(follower, 1));
        Assert.Equal(leader, cluster.Node(follower).LeaderId);
    }

    [Fact]
    public void UncommittedTailIsBounded()
    {
        var cluster = new TestCluster(voters: 3, configure: o => o.UncommittedEntriesMax = 5);
        ulong leader = cluster.ElectLeader();
        cluster.Isolate(leader);
        var results = Enumerable.Range(0, 8).Select(i => cluster.Propose(leader, i)).ToList();
        Assert.Equal(5, results.Count(r => r == ProposeResult.Accepted));
        Assert.Equal(ProposeResult.Throttled, results[^1]);
    }

    [Fact]
    public void EntriesOfAnEarlierTermCommitOnlyWithTheNewLeadersNoOp()
    {
        // Leader 1 gets an entry onto node 2 only, then dies. The new leader 2 holds it on a majority (2 and 3 after
        // repair) but must not commit it by counting; it commits when its own no-op commits. One entry per message
        // lets us watch the commit index between the two.
        var cluster = new TestCluster(voters: 3, configure: o => o.EntriesPerMessageMax = 1);
        Assert.Equal(1UL, ElectNode(cluster, 1));
        cluster.Propose(1, 42);
        cluster.Process();
        cluster.DeliverAll(m => m.To == 2);
        cluster.Process();
        cluster.Pending.Clear(); // Node 2's acknowledgement is lost.
        long oldEntry = cluster.Node(2).LastIndex;
        Assert.True(cluster.Node(2).CommitIndex < oldEntry);
        cluster.Crash(1);

        for (int tick = 0; tick < 300 && cluster.Node(2).Role != RaftRole.Leader; tick++)
        {
            foreach (var host in cluster.Hosts.Where(h => h.Alive))
            {
                host.Node.Tick();
            }

            for (int round = 0; round < 50 && (cluster.Process() || cluster.Pending.Count > 0); round++)
            {
                cluster.DeliverAll();
                Assert.NotEqual(oldEntry, cluster.Node(2).CommitIndex);
            }
        }

        Assert.Equal(RaftRole.Leader, cluster.Node(2).Role);
        for (int round = 0; round < 50 && (cluster.Process() || cluster.Pending.Count > 0); round++)
        {
            cluster.DeliverAll();
            Assert.NotEqual(oldEntry, cluster.Node(2).CommitIndex);
        }

        Assert.Equal(oldEntry + 1, cluster.Node(2).CommitIndex);
        Assert.Contains(cluster.Applied[2], e => e.Index == oldEntry && e.Kind == LogEntryKind.Command);
    }

    [Fact]
    public void DivergentFollowerIsRepairedWithOneRejection()
    {
        // Node 1 leads, is cut off, and appends 300 entries nobody else sees. Nodes 2 and 3 elect a new leader that
        // commits 300 other entries, then hand leadership to each other. After healing, node 1's conflicting tail
        // spans hundreds of indexes, but the term hints let the leader find the common prefix after one rejection.
        var cluster = new TestCluster(voters: 3);
        Assert.Equal(1UL, ElectNode(cluster, 1));
        cluster.Isolate(1);
        for (int i = 0; i < 300; i++)
        {
            cluster.Propose(1, i);
        }

        cluster.Stabilize();
        ulong leader = 0;
        for (int tick = 0; tick < 300 && leader == 0; tick++)
        {
            cluster.TickAll();
            leader = cluster.Hosts.FirstOrDefault(h => h.Id != 1 && h.Node.Role == RaftRole.Leader)?.Id ?? 0;
        }

        Assert.NotEqual(0UL, leader);
        for (int i = 0; i < 300; i++)
        {
            cluster.Propose(leader, 1_000 + i);
        }

        cluster.Stabilize();

        // Hand over to the third node, whose view of node 1 starts at its own last index, far past the divergence.
        ulong third = 5 - leader;
        Assert.True(cluster.Node(leader).TransferLeadership(third));
        cluster.Stabilize();
        Assert.Equal(RaftRole.Leader, cluster.Node(third).Role);
        leader = third;
        cluster.Sent.Clear();
        cluster.Heal();
        cluster.TickAll(5);
        int rejections = cluster.Sent.Count(m => m.From == 1 && m.Type == RaftMessageType.AppendResponse && m.Reject);
        Assert.InRange(rejections, 1, 2);
        Assert.Equal(cluster.Node(leader).LastIndex, cluster.Node(1).LastIndex);
        Assert.Equal(cluster.Node(leader).Log.LastTerm, cluster.Node(1).Log.LastTerm);
    }

    [Fact]
    public void InflightWindowBoundsAppendsToASilentFollower()
    {
        var cluster = new TestCluster(voters: 3, configure: o =>
        {
            o.InflightMessagesMax = 4;
            o.EntriesPerMessageMax = 1;
        });
        ulong leader = cluster.ElectLeader();
        ulong silent = leader == 3 ? 2UL : 3UL;
        cluster.Sent.Clear();
        cluster.Filter = m => m.From != silent; // The follower receives but its answers are lost.
        for (int i = 0; i < 20; i++)
        {
            cluster.Propose(leader, i);
        }

        cluster.Stabilize();
        int appends = cluster.Sent.Count(m => m.To == silent && m.Type == RaftMessageType.Append);
        Assert.Equal(4, appends);

        cluster.Filter = null;
        cluster.TickAll(3);
        Assert.Equal(cluster.Node(leader).LastIndex, cluster.Node(silent).LastIndex);
    }

    [Fact]
    public void LaggingFollowerCatchesUpInAFewRoundTrips()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leader = cluster.ElectLeader();
        ulong lagging = cluster.IsolateFollowerAndPropose(leader, 5_000);
        cluster.Heal();
        int rounds = CatchUpRounds(cluster, leader, lagging);
        Assert.InRange(rounds, 1, 8);
    }

    /// <summary>Heartbeat, then deliver round by round until the follower's log matches; returns the round
    /// count.</summary>
    internal static int CatchUpRounds(TestCluster cluster, ulong leader, ulong follower)
    {
        cluster.TickAll(0);
        foreach (var host in cluster.Hosts)
        {
            host.Node.Tick();
        }

        for (int round = 1; round <= 1_000; round++)
        {
            cluster.Process();
            cluster.DeliverAll();
            cluster.Process();
            cluster.DeliverAll();
            if (cluster.Node(follower).LastIndex == cluster.Node(leader).LastIndex
                && cluster.Node(follower).CommitIndex == cluster.Node(leader).CommitIndex)
            {
                return round;
            }
        }

        throw new InvalidOperationException("follower never caught up");
    }

    /// <summary>Elects any leader, then hands leadership to <paramref name="id"/> with a transfer.</summary>
    internal static ulong ElectNode(TestCluster cluster, ulong id)
    {
        ulong leader = cluster.ElectLeader();
        if (leader != id)
        {
            Assert.True(cluster.Node(leader).TransferLeadership(id));
            cluster.Stabilize();
        }

        return cluster.ElectLeader();
    }
}
