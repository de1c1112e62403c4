using System.Runtime.CompilerServices;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;
using Rpc25519.JSync.Transport;
using Rpc25519.SimNet;
using Rpc25519.SimNet.Harness;

namespace Rpc25519.JSync.Tests.Transport;

/// <summary>
/// A push over the real client, server and circuits on SimNet (virtual time, TCP-like stream loss), with faults in
/// the middle of the file data: a partition that heals before the connection gives up finishes correctly; a crashed
/// server fails the push clearly, leaves the old target intact, and the next push completes.
/// </summary>
public sealed class SimNetSyncTests : Sync.SyncTestBase
{
    private static (Simulation Sim, SimNetwork Net, SimNode Server, SimNode Client) NewPair()
    {
        var sim = new Simulation(new SimulationOptions
        {
            Seed = 15, EscapeCheckInterval = 1,
            // Only the per-simulation detector: the process-wide ones (timers, pool counters) would see the other
            // test classes of this assembly, which run in parallel.
            EscapeChecks = EscapeChecks.ForeignThreads,
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });
        // StreamStall: a lost message stalls the stream like TCP; a repair with late delivery resumes it (TCP's
        // retransmission after the fault ends); left alone, the connection resets after StallResetAfter.
        var net = new SimNetwork(sim, new SimNetworkOptions { LossModel = LossModel.StreamStall });
        return (sim, net, sim.AddNode("srv"), sim.AddNode("cli"));
    }

    private static Task<RpcServer> StartServer(SimNetwork net, SimNode node, string root) =>
        EchoServer.StartAsync(net, node, register: s => JSyncService.Register(s.PeerApi, root));

    /// <summary>Pushes <paramref name="source"/> to "data" on the server, as the client node's code; sets
    /// <paramref name="started"/> once the first file bytes are done.</summary>
    private static Task<RemoteSyncResult> Push(SimNetwork net, SimNode client, string source, StrongBox<bool> started) =>
        client.Start(async () =>
        {
            RpcOptions config = net.CreateOptions(client);
            config.ServerAddress = "srv:5000";
            await using RpcClient rpc = await RpcClient.ConnectAsync(config);
            return await JSyncClient.RunAsync(rpc, SyncRole.Giver, source, "data", new SyncOptions(),
                syncProgress: new Flag(started));
        });

    /// <summary>Starts the server and a push, and returns the push once its first file bytes are done (so a fault
    /// injected next hits the file data).</summary>
    private async Task<Task<RemoteSyncResult>> StartPushAndWaitForDataAsync(Simulation sim, SimNetwork net,
        SimNode server, SimNode client)
    {
        await StartServer(net, server, Dest);
        var started = new StrongBox<bool>();
        Task<RemoteSyncResult> push = Push(net, client, Source, started);
        for (int i = 0; i < 10_000 && !started.Value; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1), sim.Driver.TimeProvider);
        }
        Assert.True(started.Value, "the transfer never started");
        return push;
    }

    /// <summary>What TCP does once a fault ends: everything lost on the two nodes' circuits is delivered late.</summary>
    private static int Retransmit(SimNetwork net, SimNode a, SimNode b) =>
        net.RepairCircuit(a, null, deliverLost: true) + net.RepairCircuit(b, null, deliverLost: true);

    private void AssertPushed(RemoteSyncResult result)
    {
        Assert.Empty(result.Result.Errors);
        Trees.AssertSame(Source, Path.Join(Dest, "data"));
    }

    private static async Task<Exception?> FailureOf(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private void MakeTree()
    {
        Directory.CreateDirectory(Dest);
        Trees.Write(Source, "big.bin", Trees.RandomBytes(3_000_000, 51));
        Trees.Write(Source, "dir/small.txt", Trees.RandomBytes(5_000, 52));
    }

    [Fact]
    public void A_partition_that_heals_in_time_lets_the_push_finish_correctly()
    {
        MakeTree();
        var (sim, net, server, client) = NewPair();
        int resent = 0;
        RemoteSyncResult result = sim.Run(async () =>
        {
            Task<RemoteSyncResult> push = await StartPushAndWaitForDataAsync(sim, net, server, client);
            net.Partition([server], [client]);
            await Task.Delay(TimeSpan.FromSeconds(2), sim.Driver.TimeProvider); // under StallResetAfter (5 s)
            Assert.False(push.IsCompleted);
            net.HealPartitions();
            resent = Retransmit(net, client, server);
            return await push;
        });
        Assert.True(resent > 0, "the partition cut nothing in flight; the test did not test a fault");
        AssertPushed(result);
    }

    [Fact]
    public void Loss_of_a_fifth_of_the_messages_both_ways_repaired_as_tcp_would_lets_the_push_finish_correctly()
    {
        MakeTree();
        var (sim, net, server, client) = NewPair();
        int resent = 0;
        RemoteSyncResult result = sim.Run(async () =>
        {
            await StartServer(net, server, Dest);
            net.FaultHost(client, new DropDeafSpec(0.2, null));
            net.FaultHost(server, new DropDeafSpec(0.2, null));
            Task<RemoteSyncResult> push = Push(net, client, Source, new StrongBox<bool>());
            // Retransmission: every 200 ms (well under the 5 s reset) what was lost is delivered late.
            for (int i = 0; i < 1000 && !push.IsCompleted; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), sim.Driver.TimeProvider);
                resent += Retransmit(net, client, server);
                net.FaultCircuit(client, null, new DropDeafSpec(0.2, null));
                net.FaultCircuit(server, null, new DropDeafSpec(0.2, null));
            }
            return await push;
        });
        Assert.True(resent > 0, "nothing was lost; the test did not test a fault");
        AssertPushed(result);
    }

    [Fact]
    public void A_partition_that_outlasts_the_connection_fails_the_push_clearly_and_the_next_push_completes()
    {
        MakeTree();
        var (sim, net, server, client) = NewPair();
        Exception? failure = null;
        TimeSpan waited = default;
        RemoteSyncResult second = sim.Run(async () =>
        {
            Task<RemoteSyncResult> push = await StartPushAndWaitForDataAsync(sim, net, server, client);
            net.Partition([server], [client]);
            TimeSpan cut = sim.Elapsed;
            failure = await FailureOf(push);
            waited = sim.Elapsed - cut;
            net.HealPartitions();
            return await Push(net, client, Source, new StrongBox<bool>());
        });
        // The stalled stream resets after StallResetAfter (5 s), as TCP gives up; jsync says what happened.
        Assert.IsType<JSyncConnectionLostException>(failure);
        Assert.InRange(waited, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30));
        AssertPushed(second);
    }

    [Fact]
    public void A_server_crash_fails_the_push_clearly_keeps_the_old_target_and_the_next_push_completes()
    {
        MakeTree();
        byte[] old = Trees.RandomBytes(100, 53);
        string target = Trees.Write(Dest, "data/big.bin", old);
        var (sim, net, server, client) = NewPair();
        Exception? failure = null;
        RemoteSyncResult second = sim.Run(async () =>
        {
            Task<RemoteSyncResult> push = await StartPushAndWaitForDataAsync(sim, net, server, client);
            net.PowerOff(server);
            failure = await FailureOf(push);
            Assert.Equal(old, File.ReadAllBytes(target)); // the crash left no half-written target

            net.PowerOn(server);
            await StartServer(net, server, Dest);
            return await Push(net, client, Source, new StrongBox<bool>());
        });
        JSyncConnectionLostException lost = Assert.IsType<JSyncConnectionLostException>(failure);
        Assert.Contains("run the same sync again", lost.Message, StringComparison.OrdinalIgnoreCase);
        AssertPushed(second);
    }

    /// <summary>Sets a flag once some file bytes are done.</summary>
    private sealed class Flag(StrongBox<bool> flag) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => flag.Value |= value.BytesDone > 0;
    }
}
