using System.Text;
using Rpc25519.Messages;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// Follower replies on the whole stack (SimNet, virtual time): a lone write is answered by a follower as well as by
/// the leader (<see cref="TubeClientOptions.FollowerReplies"/>), it is applied once, reads see it, and it goes on when
/// the follower is gone; waits that cannot be answered are bounded.
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class FollowerReplyTests
{
    [Fact]
    public void ALoneWriteIsAnsweredByAFollowerWhenTheLeadersAnswerIsLost()
    {
        var cluster = new SimTubeCluster(seed: 4);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            for (int i = 0; i < 3; i++)
            {
                await cluster.OnClient(() => client.PutAsync("t", B("warm"), B("up"))); // connects to a follower
            }

            // Every answer of the leader to the client vanishes: only a follower can answer in time.
            (KvItem result, TimeSpan took) =
                await cluster.PutWhileAnswersVanishAsync(client, leader, "t", B("once"), B("x"));

            Assert.True(took < TimeSpan.FromMilliseconds(400), $"the write waited for a retry (took {took})");
            Assert.Equal(1, result.Version);
            KvItem? item = await cluster.OnClient(() => client.GetAsync("t", B("once")));
            Assert.Equal(1, item!.Version);
            Assert.True(await FollowerRepliesAsync(cluster, leader) >= 1, "no follower answered a reply wait");
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void AReadAfterAFollowerAnsweredWriteSeesIt()
    {
        var cluster = new SimTubeCluster(seed: 8);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            for (int i = 0; i < 40; i++)
            {
                byte[] value = B($"v{i}");
                await cluster.OnClient(() => client.PutAsync("t", B("k"), value));
                KvItem? read = await cluster.OnClient(() => client.GetAsync("t", B("k")));
                Assert.Equal($"v{i}", Encoding.UTF8.GetString(read!.Value!));
                Assert.Equal(i + 1, read.Version);
            }

            Assert.True(await FollowerRepliesAsync(cluster, leader) >= 20, "followers answered few of the writes");
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void LoneWritesGoOnWhenAFollowerStops()
    {
        var cluster = new SimTubeCluster(seed: 9);
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("0")));
            await cluster.OnClient(() => client.PutAsync("t", B("k"), B("1")));
            for (int stopped = 0; stopped < cluster.Nodes.Length; stopped++)
            {
                if (stopped == leader)
                {
                    continue;
                }

                cluster.Crash(stopped);
                for (int i = 0; i < 5; i++)
                {
                    await cluster.OnClient(() => client.PutAsync("t", B("k"), B("x")));
                }

                await cluster.RestartAsync(stopped);
                await cluster.WaitForConvergenceAsync();
            }

            KvItem? item = await cluster.OnClient(() => client.GetAsync("t", B("k")));
            Assert.Equal(12, item!.Version);
            await cluster.StopAllAsync();
        });
    }

    [Fact]
    public void ReplyWaitsAreBoundedAndAnsweredWithoutAReplyWhenNoneCanCome()
    {
        var cluster = new SimTubeCluster(seed: 10)
        {
            ConfigureReplica = o =>
            {
                o.MaxReplyWaiters = 2;
                o.ReadTimeout = TimeSpan.FromMilliseconds(300);
            },
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int follower = (leader + 1) % cluster.Nodes.Length;
            await using TubeClient client = await cluster.NewClientAsync();
            long session = await cluster.OnClient(() => client.OpenSessionAsync());
            RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
            options.ServerAddress = cluster.Address(follower);
            await cluster.OnClient(async () =>
            {
                await using RpcClient raw = await RpcClient.ConnectAsync(options);
                TubeResponse refused = await AwaitReplyAsync(raw, session: 0, serial: 1);
                Assert.Equal(TubeErrorCode.InvalidCommand, refused.Error);

                // Two waits for serials never sent are held; a third is answered at once, without a reply.
                DateTimeOffset start = cluster.ClientNode.TimeProvider.GetUtcNow();
                Task<TubeResponse> first = AwaitReplyAsync(raw, session, serial: 1_000);
                Task<TubeResponse> second = AwaitReplyAsync(raw, session, serial: 1_001);
                TubeResponse third = await AwaitReplyAsync(raw, session, serial: 1_002);
                Assert.Equal(TubeErrorCode.None, third.Error);
                Assert.Null(third.Reply);
                Assert.False(first.IsCompleted || second.IsCompleted, "the held waits were answered early");

                // The held ones end after the read timeout, without a reply.
                foreach (TubeResponse held in await Task.WhenAll(first, second))
                {
                    Assert.Equal(TubeErrorCode.None, held.Error);
                    Assert.Null(held.Reply);
                }

                TimeSpan waited = cluster.ClientNode.TimeProvider.GetUtcNow() - start;
                Assert.InRange(waited, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(900));
            });

            (int parked, _) = await cluster.Replica(follower)!.GetReplyWaitStatsAsync();
            Assert.Equal(0, parked);
            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    private static async Task<TubeResponse> AwaitReplyAsync(RpcClient raw, long session, long serial)
    {
        var message = new Message
        {
            Payload = new TubeRequest
            {
                Kind = TubeRequestKind.AwaitReply, SessionId = session, Serial = serial, WaitMs = 10_000,
            }.ToBytes(),
        };
        message.Header.ServiceName = TubeServiceNames.Client;
        Message answer = await raw.CallAsync(message);
        return TubeResponse.FromBytes(answer.Payload);
    }

    private static async Task<long> FollowerRepliesAsync(SimTubeCluster cluster, int leader)
    {
        long sent = 0;
        for (int i = 0; i < cluster.Nodes.Length; i++)
        {
            if (i != leader && cluster.Replica(i) is { } replica)
            {
                sent += (await replica.GetReplyWaitStatsAsync()).RepliesSent;
            }
        }

        return sent;
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
}
