using Rpc25519.Messages;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Hostile and unlucky callers of a replica's client port, one probe at a time: a call to a service the
/// replica does not have, a command in a forged session, a request larger than a frame, and calls held on a replica
/// while it stops. Each may fail, alone and clearly; nothing hangs and the cluster goes on serving.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class HostProbeTests
{
    private const int FrameLimit = 256 * 1024;

    /// <summary>A service name the replica does not serve is refused (not left unanswered); a command in a session
    /// that was never opened is refused with the session error; a request above the frame limit fails alone.</summary>
    [Fact]
    public void UnknownServiceForgedSessionAndOversizedRequestFailAlone()
    {
        var cluster = new SimTubeCluster(seed: 71) { ConfigureReplica = o => o.Rpc.MaxFrameBytes = FrameLimit };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            await cluster.OnClient(async () =>
            {
                await using RpcClient raw = await ConnectAsync(cluster, leader);
                var unknown = new Message { Payload = [1, 2, 3] };
                unknown.Header.ServiceName = "tube.nope";
                var rejected = await Assert.ThrowsAsync<CallRejectedException>(
                    () => CallWithDeadlineAsync(cluster, raw, unknown));
                Assert.Contains("tube.nope", rejected.Message, StringComparison.Ordinal);

                byte[] put = KvCommands.Put("t", [1], [2]).ToBytes();
                TubeResponse forged = await CallAsync(cluster, raw, new TubeRequest
                {
                    Kind = TubeRequestKind.Submit,
                    Command = TubeCommand.ForMachine(TubeClient.KvMachine, 987_654, 1, put).ToBytes(),
                });
                Assert.NotNull(forged.Reply);
                Assert.Throws<SessionExpiredException>(() => TubeReply.FromBytes(forged.Reply!).ThrowIfError());
            });
            await cluster.OnClient(async () =>
            {
                await using RpcClient raw = await ConnectAsync(cluster, leader);
                // A valid status request, which would be answered if the replica took a frame that large.
                var huge = new TubeRequest { Kind = TubeRequestKind.Status, Key = new byte[FrameLimit + 1024] };
                await Assert.ThrowsAnyAsync<RpcException>(() => CallAsync(cluster, raw, huge));
            });

            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A follower cut off from its peers holds a linearizable read (its read index cannot come) and a
    /// watch from far ahead; stopping it ends both calls at once with an error, and the stop itself completes.</summary>
    [Fact]
    public void StoppingAReplicaEndsItsHeldCalls()
    {
        var cluster = new SimTubeCluster(seed: 72) { ConfigureReplica = o => o.ReadTimeout = TimeSpan.FromSeconds(30) };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            int leader = await cluster.WaitForLeaderAsync();
            int follower = (leader + 1) % 3;
            for (int other = 0; other < 3; other++)
            {
                if (other != follower)
                {
                    cluster.Network.FaultCircuit(cluster.Nodes[follower], cluster.Nodes[other], new DropDeafSpec(1.0, 1.0));
                }
            }

            RpcClient raw = await cluster.OnClient(() => ConnectAsync(cluster, follower));
            Task<TubeResponse> read = cluster.OnClient(() => CallAsync(cluster, raw, new TubeRequest
            {
                Kind = TubeRequestKind.Read, Machine = TubeClient.KvMachine, ReadMode = ReadMode.Linearizable,
                Query = KvCommands.Get("t", [1]).ToBytes(),
            }, TimeSpan.FromSeconds(60)));
            Task<TubeResponse> watch = cluster.OnClient(() => CallAsync(cluster, raw, new TubeRequest
            {
                Kind = TubeRequestKind.Watch, Machine = TubeClient.KvMachine, Table = "t", Key = [1],
                FromIndex = 1_000_000, WaitMs = 30_000,
            }, TimeSpan.FromSeconds(60)));
            await cluster.DelayAsync(TimeSpan.FromSeconds(1));
            Assert.False(read.IsCompleted, "the cut-off follower answered a linearizable read");
            Assert.False(watch.IsCompleted, "the watch from far ahead was answered");

            TubeReplica replica = cluster.Replica(follower)!;
            Task stopping = cluster.Nodes[follower].Start(async () => await replica.DisposeAsync());
            Task all = Task.WhenAll(stopping, Ended(read), Ended(watch));
            await Task.WhenAny(all, cluster.DelayAsync(TimeSpan.FromSeconds(5)));
            Assert.True(all.IsCompleted, $"after 5 s: stop {stopping.Status}, read {read.Status}, watch {watch.Status}");
            await AssertFailedAsync(read);
            await AssertFailedAsync(watch);
            await cluster.OnClient(async () => await raw.DisposeAsync());
            cluster.Crash(follower, tear: false);
            await cluster.StopAllAsync();
        });
    }

    /// <summary>A held call ended either as a refusal or as a failed call, never as an answer with data.</summary>
    private static async Task AssertFailedAsync(Task<TubeResponse> call)
    {
        try
        {
            TubeResponse response = await call;
            Assert.NotEqual(TubeErrorCode.None, response.Error);
            Assert.False(string.IsNullOrEmpty(response.Message), "a refusal without a message");
        }
        catch (RpcException)
        {
            // The connection or the call failed: an error the caller sees at once.
        }
    }

    private static async Task Ended(Task call)
    {
        try
        {
            await call;
        }
        catch (RpcException)
        {
            // Counted as ended; checked by AssertFailedAsync.
        }
    }

    private static Task<RpcClient> ConnectAsync(SimTubeCluster cluster, int replica)
    {
        RpcOptions options = cluster.Network.CreateOptions(cluster.ClientNode);
        options.ServerAddress = cluster.Address(replica);
        options.MaxFrameBytes = FrameLimit * 4;
        return RpcClient.ConnectAsync(options);
    }

    private static async Task<TubeResponse> CallAsync(SimTubeCluster cluster, RpcClient raw, TubeRequest request,
        TimeSpan? deadline = null)
    {
        var message = new Message { Payload = request.ToBytes() };
        message.Header.ServiceName = TubeServiceNames.Client;
        Message reply = await CallWithDeadlineAsync(cluster, raw, message, deadline);
        return TubeResponse.FromBytes(reply.Payload);
    }

    /// <summary>A call that must be answered (or refused) within <paramref name="deadline"/> (2 s by default);
    /// running out is an <see cref="OperationCanceledException"/>, which no probe accepts.</summary>
    private static async Task<Message> CallWithDeadlineAsync(SimTubeCluster cluster, RpcClient raw, Message message,
        TimeSpan? deadline = null)
    {
        using var cts = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(2), cluster.ClientNode.TimeProvider);
        return await raw.CallAsync(message, cts.Token);
    }
}
