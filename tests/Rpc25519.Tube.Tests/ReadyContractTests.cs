using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>The host contract: one Ready at a time, state to persist travels with the messages that depend on
/// it.</summary>
public sealed class ReadyContractTests
{
    [Fact]
    public void AskingForASecondReadyBeforeAdvanceThrows()
    {
        var single = new TestCluster(voters: 1);
        var node = single.Node(1);
        Assert.True(node.HasReady());
        var ready = node.GetReady();
        Assert.Throws<InvalidOperationException>(() => node.GetReady());
        node.Advance(ready);
        Assert.Throws<InvalidOperationException>(() => node.Advance(ready));
    }

    [Fact]
    public void AppendAcknowledgementTravelsWithTheEntriesItAcknowledges()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        ulong follower = TestCluster.FollowerOf(leaderId);
        cluster.Propose(leaderId, 1);
        cluster.Process();
        cluster.DeliverAll(m => m.To == follower);
        var ready = cluster.Node(follower).GetReady();
        var ack = Assert.Single(ready.Messages, m => m.Type == RaftMessageType.AppendResponse);
        Assert.Equal(ack.LogIndex, ready.Entries[^1].Index);
        cluster.Node(follower).Advance(ready);
    }

    [Fact]
    public void OnlyBatchesWithEntriesOrANewTermOrVoteMustBeSynced()
    {
        var cluster = new TestCluster(voters: 3);
        ulong leaderId = cluster.ElectLeader();
        var leader = cluster.Node(leaderId);
        cluster.Propose(leaderId, 7);
        Assert.True(leader.HasReady());
        var withEntry = leader.GetReady();
        Assert.NotEmpty(withEntry.Entries);
        Assert.True(withEntry.MustSync);
        Assert.True(withEntry.MessagesMayPrecedePersist); // The leader's appends travel while it writes.
        cluster.Pending.AddRange(withEntry.Messages);
        leader.Advance(withEntry);
        long commitBefore = leader.CommitIndex;

        cluster.DeliverAll(m => m.To != leaderId);
        var follower = cluster.Node(TestCluster.FollowerOf(leaderId));
        var acknowledging = follower.GetReady();
        Assert.Contains(acknowledging.Messages, m => m.Type == RaftMessageType.AppendResponse);
        Assert.False(acknowledging.MessagesMayPrecedePersist); // An acknowledgement promises the entry is on disk.
        cluster.Pending.AddRange(acknowledging.Messages);
        follower.Advance(acknowledging);
        cluster.Process(); // The other followers persist the entry and acknowledge it.
        cluster.DeliverAll(m => m.To == leaderId);
        var commitOnly = leader.GetReady();
        Assert.NotNull(commitOnly.HardState);
        Assert.True(commitOnly.HardState.Value.Commit > commitBefore);
        Assert.Empty(commitOnly.Entries);
        Assert.False(commitOnly.MustSync);
        leader.Advance(commitOnly);

        var membership = new Membership([1, 2, 3], [], 0, 1);
        var voter = ElectionTests.QuietNode(membership);
        voter.Step(ElectionTests.VoteRequest(2, 1, 4, transfer: false, membership));
        var granting = voter.GetReady();
        Assert.True(granting.MustSync); // A vote must be on disk before the reply that grants it leaves.
        Assert.False(granting.MessagesMayPrecedePersist);
    }

    [Fact]
    public void CrashBeforePersistingForgetsTheVoteAndSendsNothing()
    {
        var membership = new Membership([1, 2, 3], [], 0, 1);
        var node = ElectionTests.QuietNode(membership);
        node.Step(ElectionTests.VoteRequest(2, 1, 4, transfer: false, membership));
        Assert.Equal(2UL, node.Vote);
        var storage = new SimStorage(); // Nothing was persisted: the host crashed before processing the Ready.
        var restarted = new RaftNode(new RaftOptions
        {
            NodeId = 1, Random = new Random(2), InitialMembership = membership,
        }, storage.Load());
        Assert.Equal(0UL, restarted.Vote);
        Assert.Equal(0, restarted.Term);
    }

    [Fact]
    public void OptionsNameTheBadField()
    {
        var missingRandom = new RaftOptions { NodeId = 1 };
        var error = Assert.Throws<ArgumentException>(() => new RaftNode(missingRandom));
        Assert.Contains("Random", error.Message, StringComparison.Ordinal);
        var badDrift = new RaftOptions { NodeId = 1, Random = new Random(1), LeaseDriftTicks = 10 };
        error = Assert.Throws<ArgumentException>(() => new RaftNode(badDrift));
        Assert.Contains("LeaseDriftTicks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SameInputsGiveTheSameOutputs()
    {
        static string Run()
        {
            var cluster = new TestCluster(voters: 5, seed: 42);
            ulong leader = cluster.ElectLeader();
            for (int i = 0; i < 10; i++)
            {
                cluster.Propose(leader, i);
                cluster.TickAll();
            }

            return string.Join('\n', cluster.Sent.Select(m => m.ToString()));
        }

        Assert.Equal(Run(), Run());
    }
}
