using System.Diagnostics;
using System.Text;
using Rpc25519.Messages;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Sessions;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Replicas stopped and started again from their own directories on real files over TLS: one replica many
/// times under a writer, and the whole cluster at once (data, a session's reply cache, a lease).</summary>
[Collection(RealSocketsCollection.Name)]
public sealed class ReplicaRestartTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task OneReplicaRestartedManyTimesUnderAWriterLosesNoAcknowledgedWrite()
    {
        await using var cluster = new FileCluster();
        await cluster.StartAllAsync();
        await using TubeClient client = cluster.NewClient();
        int acknowledged = 0;
        using var stopWriting = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                await client.PutAsync("t", B($"k{acknowledged}"), B($"v{acknowledged}"));
                acknowledged++;
            }
        });

        for (int round = 0; round < 4; round++)
        {
            // Followers and leaders alike: ids 1, 2, 3, 1.
            ulong id = (ulong)(round % 3) + 1;
            int before = Volatile.Read(ref acknowledged);
            TubeReplica stopped = cluster.Running[id];
            await cluster.StopAsync(id);
            await stopped.DisposeAsync();
            await cluster.StartAsync(id);
            await WaitUntilAsync(() => Volatile.Read(ref acknowledged) >= before + 3 || writer.IsCompleted);
            Assert.False(writer.IsFaulted, writer.Exception?.ToString());
            await cluster.WaitConvergedAsync();
        }

        stopWriting.Cancel();
        await writer;
        Assert.True(acknowledged >= 12, $"only {acknowledged} writes went through");
        for (int i = 0; i < acknowledged; i++)
        {
            KvItem? item = await client.GetAsync("t", B($"k{i}"));
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(item!.Value!));
        }
    }

    [Fact]
    public async Task StoppingAReplicaEndsACallItHoldsWithAnErrorAndTwiceIsHarmless()
    {
        await using var cluster = new FileCluster();
        TubeReplica lone = await cluster.StartAsync(1);

        // A watch from far ahead waits on the replica for changes that do not come.
        Task<TubeResponse> call = CallAsync(cluster, 1, new TubeRequest
        {
            Kind = TubeRequestKind.Watch, Machine = TubeClient.KvMachine, Table = "t", Key = B("k"),
            FromIndex = 1_000_000, WaitMs = 30_000,
        });
        await WaitUntilAsync(() => lone.GetHeldRequestsAsync().Result.Watches > 0);
        var clock = Stopwatch.StartNew();
        await lone.DisposeAsync();
        await lone.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the stop took {clock.Elapsed}");
        try
        {
            TubeResponse response = await call.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.NotEqual(TubeErrorCode.None, response.Error);
            Assert.False(string.IsNullOrWhiteSpace(response.Message));
        }
        catch (RpcException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }

        Assert.True(FileCluster.PortIsFree(cluster.Members[1]), "the stopped replica still listens");
    }

    [Fact]
    public async Task AWholeClusterRestartKeepsDataRepliesAndLeases()
    {
        await using var cluster = new FileCluster();
        await cluster.StartAllAsync();
        await using TubeClient holder = cluster.NewClient();
        await using TubeClient other = cluster.NewClient();
        TimeSpan leaseTime = TimeSpan.FromSeconds(4);
        var sinceGrant = Stopwatch.StartNew();
        await holder.PutAsync("t", B("lock"), B("h"), leaseTime);
        (long session, TubeReply first) = await OpenAndPutAsync(cluster);

        await cluster.StopAllAsync();
        await cluster.StartAllAsync();

        // The retried serial is answered from the session's cache, not applied again.
        TubeReply retry = await SubmitAsync(cluster, await cluster.LeaderAsync(), Put(session, 1, "a"));
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Index, retry.Index);
        Assert.Equal(1, (await other.GetAsync("t", B("once")))!.Version);

        // The lease still holds after the restart, until log time passes its end.
        Assert.True(sinceGrant.Elapsed < leaseTime, $"the restart took too long to check the lease ({sinceGrant.Elapsed})");
        await Assert.ThrowsAsync<KeyLeasedException>(() => other.PutAsync("t", B("lock"), B("o")));

        while (true)
        {
            try
            {
                await other.PutAsync("t", B("lock"), B("o"));
                break;
            }
            catch (KeyLeasedException)
            {
                Assert.True(sinceGrant.Elapsed < FileCluster.Patience, "the lease never ended");
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }

        Assert.True(sinceGrant.Elapsed >= leaseTime, $"the lease ended after {sinceGrant.Elapsed}");
        Assert.Equal("o", Encoding.UTF8.GetString((await holder.GetAsync("t", B("lock")))!.Value!));
    }

    private static TubeCommand Put(long session, long serial, string value) => TubeCommand.ForMachine(
        TubeClient.KvMachine, session, serial, KvCommands.Put("t", B("once"), B(value)).ToBytes());

    /// <summary>Opens a session through a raw caller and puts with serial 1 in it.</summary>
    private static async Task<(long Session, TubeReply First)> OpenAndPutAsync(FileCluster cluster)
    {
        ulong leader = await cluster.LeaderAsync();
        long session = SessionInfo.FromBytes(
            (await SubmitAsync(cluster, leader, TubeCommand.OpenSession())).ThrowIfError()).SessionId;
        TubeReply first = await SubmitAsync(cluster, leader, Put(session, 1, "a"));
        Assert.False(first.Duplicate);
        return (session, first);
    }

    /// <summary>Submits <paramref name="command"/> with its own session and serial to replica
    /// <paramref name="id"/>, as a client retrying a lost answer would.</summary>
    private static async Task<TubeReply> SubmitAsync(FileCluster cluster, ulong id, TubeCommand command)
    {
        TubeResponse response = await CallAsync(cluster, id,
            new TubeRequest { Kind = TubeRequestKind.Submit, Command = command.ToBytes() });
        Assert.Equal(TubeErrorCode.None, response.Error);
        return TubeReply.FromBytes(response.Reply!);
    }

    /// <summary>Sends <paramref name="request"/> as is to replica <paramref name="id"/>'s <c>tube.client</c>
    /// service over a connection of its own.</summary>
    private static async Task<TubeResponse> CallAsync(FileCluster cluster, ulong id, TubeRequest request)
    {
        RpcOptions options = cluster.Rpc();
        options.ServerAddress = cluster.Members[id];
        await using RpcClient raw = await RpcClient.ConnectAsync(options);
        var message = new Message { Payload = request.ToBytes() };
        message.Header.ServiceName = TubeServiceNames.Client;
        return TubeResponse.FromBytes((await raw.CallAsync(message)).Payload);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(FileCluster.Patience);
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }
}
