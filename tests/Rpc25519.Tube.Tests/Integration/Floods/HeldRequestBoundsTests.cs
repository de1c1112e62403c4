using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Floods;

/// <summary>A replica that cannot make progress (a follower cut off from its leader, a leader cut off from its
/// followers) gets thousands of requests at once on one connection. Each kind it holds stays under its bound; the
/// requests beyond are answered at once with a typed refusal; every held one ends by its timeout; and once the
/// network heals the replica serves again with nothing left held.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class HeldRequestBoundsTests
{
    private const int HeldReadsMax = 300;
    private const int ReplyWaitersMax = 200;
    private const int UncommittedMax = 250;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void AFollowerCutOffFromItsLeaderHoldsABoundedNumberOfReads()
    {
        SimTubeCluster cluster = NewCluster(31);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int follower = (leader + 1) % 3;
            SimUndo cut = cluster.Network.Partition([cluster.Nodes[follower]],
                [.. cluster.Nodes.Where((_, i) => i != follower)]);

            IReadOnlyList<TubeRequest> requests = [.. Reads(ReadMode.Linearizable, 1500), .. Reads(ReadMode.Lease, 1500)];
            FloodOutcome[] outcomes = await FloodAsync(cluster, follower, requests, async () =>
            {
                HeldRequests held = await cluster.Replica(follower)!.GetHeldRequestsAsync();
                Assert.InRange(held.Reads, 1, HeldReadsMax);
            });

            AssertEveryOneEndedTyped(outcomes);
            Assert.Contains(outcomes, o => o.Error == TubeErrorCode.Unavailable && o.Took < ReadTimeout / 5);
            cut.Undo();
            await AssertServesAgainAsync(cluster, follower);
        });
    }

    [Fact]
    public void ALeaderWithoutQuorumHoldsBoundedReadsWritesAndReplyWaits()
    {
        SimTubeCluster cluster = NewCluster(32);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            SimUndo cut = cluster.Network.Partition([cluster.Nodes[leader]],
                [.. cluster.Nodes.Where((_, i) => i != leader)]);

            byte[] tick = TubeCommand.Tick().ToBytes();
            IReadOnlyList<TubeRequest> requests =
            [
                .. Enumerable.Range(0, 1000).Select(_ => new TubeRequest { Kind = TubeRequestKind.Submit, Command = tick }),
                .. Reads(ReadMode.Linearizable, 1000),
                .. Reads(ReadMode.Lease, 1000),
                .. Enumerable.Range(1, 1000).Select(serial => new TubeRequest
                {
                    Kind = TubeRequestKind.AwaitReply, SessionId = 1_000_000, Serial = serial, WaitMs = 10_000,
                }),
            ];
            FloodOutcome[] outcomes = await FloodAsync(cluster, leader, requests, async () =>
            {
                HeldRequests held = await cluster.Replica(leader)!.GetHeldRequestsAsync();
                Assert.InRange(held.Reads, 1, HeldReadsMax);
                Assert.InRange(held.Writes, 1, UncommittedMax);
                Assert.InRange(held.ReplyWaits, 1, ReplyWaitersMax);
            });

            AssertEveryOneEndedTyped(outcomes);
            cut.Undo();
            await AssertServesAgainAsync(cluster, leader);
        });
    }

    private static SimTubeCluster NewCluster(ulong seed) => new(seed)
    {
        ConfigureReplica = options =>
        {
            options.MaxHeldReads = HeldReadsMax;
            options.MaxReplyWaiters = ReplyWaitersMax;
            options.ConfigureRaft = raft => raft.UncommittedEntriesMax = UncommittedMax;
        },
    };

    private static IEnumerable<TubeRequest> Reads(ReadMode mode, int count) =>
        Enumerable.Range(0, count).Select(_ => new TubeRequest
        {
            Kind = TubeRequestKind.Read, Machine = KvStateMachine.DefaultName, ReadMode = mode,
            Query = KvCommands.Get("t", [1]).ToBytes(),
        });

    /// <summary>Sends every request at once to replica <paramref name="i"/>, checks the replica while they are
    /// held, and returns every outcome.</summary>
    private static async Task<FloodOutcome[]> FloodAsync(SimTubeCluster cluster, int i,
        IReadOnlyList<TubeRequest> requests, Func<Task> whileHeld)
    {
        await using RawFlood flood = await cluster.OnClient(() => RawFlood.ConnectAsync(cluster, i));
        Task<FloodOutcome>[] calls = await cluster.OnClient(() => Task.FromResult(
            flood.Send(requests, ReadTimeout * 6)));
        await cluster.DelayAsync(cluster.Tick);
        await whileHeld();
        return await Task.WhenAll(calls);
    }

    /// <summary>Every request got an answer (no call ran into the caller's deadline), within the replica's own
    /// timeout and a little room for the leader to step down.</summary>
    private static void AssertEveryOneEndedTyped(FloodOutcome[] outcomes)
    {
        Assert.All(outcomes, o => Assert.Null(o.Failure));
        Assert.All(outcomes, o => Assert.True(o.Took <= ReadTimeout * 2, $"a request took {o.Took}"));
        Assert.All(outcomes.Where(o => o.Error != TubeErrorCode.None), o => Assert.Contains(o.Error,
            new[] { TubeErrorCode.NoQuorum, TubeErrorCode.NotLeader, TubeErrorCode.Unavailable }));
    }

    /// <summary>After the heal: the replica holds nothing, and a client that knows only it writes and reads.</summary>
    private static async Task AssertServesAgainAsync(SimTubeCluster cluster, int i)
    {
        await cluster.WaitForLeaderAsync();
        await cluster.DelayAsync(ReadTimeout * 2);
        Assert.Equal(0, (await cluster.Replica(i)!.GetHeldRequestsAsync()).Total);
        TubeClient client = await cluster.NewClientAsync(members: [cluster.Address(i)]);
        await cluster.OnClient(async () =>
        {
            await client.PutAsync("t", [1], [2]);
            KvItem? item = await client.GetAsync("t", [1]);
            Assert.Equal([2], item?.Value);
            await client.DisposeAsync();
        });
    }
}
