using System.Diagnostics;
using Rpc25519.Messages;
using Rpc25519.SimNet;

namespace Rpc25519.SimNet.Tests;

/// <summary>The unchanged RpcServer and RpcClient on SimNet, one fault at a time.</summary>
public sealed class RpcOverSimTests
{
    private static (Simulation Sim, SimNetwork Net, SimNode Server, SimNode Client) NewPair(ulong seed = 1,
        LossModel loss = LossModel.MessageLoss, RecordingLoggerFactory? logs = null)
    {
        var sim = new Simulation(new SimulationOptions
        {
            Seed = seed, EscapeCheckInterval = 1,
            LoggerFactory = logs ?? (Microsoft.Extensions.Logging.ILoggerFactory)
                Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });
        var net = new SimNetwork(sim, new SimNetworkOptions { LossModel = loss });
        return (sim, net, sim.AddNode("srv"), sim.AddNode("cli"));
    }

    [Fact]
    public void A_call_round_trips_on_virtual_time()
    {
        // Goal: the real client and server work on SimNet. Method: echo one call and check the reply, that it took
        // virtual milliseconds, and that the network carried exactly one request and one reply frame.
        var (sim, net, server, client) = NewPair();
        string reply = sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server);
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000");
            Message answer = await SimRpc.Call(client, rpc, "echo", "hello");
            return answer.Text();
        });
        Assert.Equal("hello", reply);
        Assert.InRange(sim.Elapsed, TimeSpan.FromMilliseconds(4), TimeSpan.FromMilliseconds(20));
        Assert.Equal(2, net.Counters.Delivered);
    }

    [Fact]
    public void A_dropped_call_times_out_after_twenty_virtual_seconds_in_milliseconds_of_wall_time()
    {
        // Goal: timeouts run on virtual time, and a client-side drop keeps the lost request in the client's queue
        // (test 771). Method: the client drops everything it sends; a call with the default 20 s timeout fails
        // with RpcTimeoutException at 20 s virtual; the undo restores service.
        var (sim, net, server, client) = NewPair();
        var wall = Stopwatch.StartNew();
        TimeSpan failedAt = default;
        SimNetworkSnapshot? during = null;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server);
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000");
            SimUndo undo = net.FaultCircuit(client, server, new DropDeafSpec(1.0, null));
            TimeSpan start = sim.Elapsed;
            await Assert.ThrowsAsync<RpcTimeoutException>(() => SimRpc.Call(client, rpc, "echo", "lost"));
            failedAt = sim.Elapsed - start;
            during = net.Snapshot();
            undo.Undo();
            Assert.Equal("back", (await SimRpc.Call(client, rpc, "echo", "back")).Text());
        });
        wall.Stop();
        Assert.InRange(failedAt, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20.01));
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(10), $"wall time {wall.Elapsed}");
        SimMessageSnapshot lost = Assert.Single(during!.Host("cli").LostSends);
        Assert.Equal("dropped", lost.LostReason);
        Assert.Empty(during.Host("srv").LostSends);
        Assert.Empty(during.Host("srv").DeafReads);
    }

    [Fact]
    public void A_deaf_server_consumes_requests_into_its_deaf_queue()
    {
        // Goal: deaf is a read-side fault (test 772's mirror). Method: the server's ends go deaf; the request is
        // consumed into the server's deaf queue, the call times out, and nothing sits in the client's lost queue.
        var (sim, net, server, client) = NewPair();
        SimNetworkSnapshot? during = null;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server);
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000",
                c => c.DefaultCallTimeout = TimeSpan.FromSeconds(3));
            net.FaultCircuit(server, null, new DropDeafSpec(null, 1.0));
            await Assert.ThrowsAsync<RpcTimeoutException>(() => SimRpc.Call(client, rpc, "echo", "unheard"));
            during = net.Snapshot();
        });
        Assert.Equal("deaf", Assert.Single(during!.Host("srv").DeafReads).LostReason);
        Assert.Empty(during.Host("cli").LostSends);
        Assert.Equal(1, during.Counters.Deaf);
    }

    [Fact]
    public void An_isolated_server_loses_calls_until_the_undo()
    {
        // Goal: isolation (test 782). Method: isolate the server; a call times out and its request is in the
        // client's lost queue marked "isolated"; undo; the next call succeeds.
        var (sim, net, server, client) = NewPair();
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server);
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000",
                c => c.DefaultCallTimeout = TimeSpan.FromSeconds(2));
            SimUndo undo = net.Isolate(server);
            await Assert.ThrowsAsync<RpcTimeoutException>(() => SimRpc.Call(client, rpc, "echo", "x"));
            Assert.Equal("isolated", Assert.Single(net.Snapshot().Host("cli").LostSends).LostReason);
            undo.Undo();
            Assert.Equal("y", (await SimRpc.Call(client, rpc, "echo", "y")).Text());
        });
    }

    [Fact]
    public void Repair_with_late_delivery_lets_a_waiting_call_complete()
    {
        // Goal: "time warp" repair. Method: the client drops its sends; a call with a 60 s timeout waits; at 5 s the
        // circuit is repaired with deliverLost, the lost request is re-sent, and the call completes before its
        // timeout. Without deliverLost (second call) the request stays lost.
        var (sim, net, server, client) = NewPair();
        int resent = -1;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server);
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000",
                c => c.DefaultCallTimeout = TimeSpan.FromSeconds(60));
            net.FaultCircuit(client, null, new DropDeafSpec(1.0, null));
            Task<Message> call = SimRpc.Call(client, rpc, "echo", "late");
            await Task.Delay(TimeSpan.FromSeconds(5), sim.Driver.TimeProvider);
            Assert.False(call.IsCompleted);
            resent = net.RepairCircuit(client, null, deliverLost: true);
            Assert.Equal("late", (await call).Text());
            Assert.InRange(sim.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.1));
        });
        Assert.Equal(1, resent);
    }

    [Fact]
    public void Power_off_loses_queued_work_and_keeps_faults_and_peers_get_a_reset()
    {
        // Goal: a power cycle is a crash. Method: a handler sleeps 10 s; the server loses power at 1 s; the handler's
        // code after its sleep never runs; the client's next call meets a vanished connection and fails fast with
        // a closed connection; a host fault (deaf) set before the crash is still there after power-on, so a new
        // server on the new process hears no dial (the connect times out) until the fault is undone.
        var (sim, net, server, client) = NewPair();
        bool handlerFinished = false;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server, register: s => s.RegisterCall("slow", async (req, ct) =>
            {
                var rep = new Message();
                await Task.Delay(TimeSpan.FromSeconds(10), server.TimeProvider);
                handlerFinished = true;
                return rep;
            }));
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000",
                c => c.DefaultCallTimeout = TimeSpan.FromSeconds(30));
            Task<Message> slow = SimRpc.Call(client, rpc, "slow", "");
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            SimUndo deaf = net.FaultHost(server, new DropDeafSpec(null, 1.0));
            SimUndo powerOff = net.PowerOff(server);
            Assert.False(server.IsPoweredOn);
            await Task.Delay(TimeSpan.FromSeconds(20), sim.Driver.TimeProvider);
            Assert.False(handlerFinished);
            powerOff.Undo();
            Assert.Equal(1, server.Incarnation);
            Assert.Equal(1.0, net.Snapshot().Host("srv").DeafReadProbability);
            await Assert.ThrowsAnyAsync<RpcException>(() => SimRpc.Call(client, rpc, "echo", "after crash"));
            await Assert.ThrowsAnyAsync<RpcException>(() => slow);
            await SimRpc.StartEchoServer(net, server);
            await Assert.ThrowsAsync<RpcTimeoutException>(() => SimRpc.Connect(net, client, "srv:5000",
                c => c.ConnectTimeout = TimeSpan.FromSeconds(2)));
            deaf.Undo();
            RpcClient again = await SimRpc.Connect(net, client, "srv:5000");
            Assert.Equal("reborn", (await SimRpc.Call(client, again, "echo", "reborn")).Text());
        });
        Assert.False(handlerFinished);
    }

    [Fact]
    public void Clock_skew_shows_in_the_server_handler_time()
    {
        // Goal: per-node clock skew reaches node code through RpcOptions.TimeProvider. Method: skew the server +1 h;
        // the handler returns its GetUtcNow; the client compares with its own clock.
        var (sim, net, server, client) = NewPair();
        TimeSpan difference = default;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server, register: s => s.RegisterCall("time", (req, ct) =>
            {
                var rep = new Message();
                rep.Payload = BitConverter.GetBytes(server.TimeProvider.GetUtcNow().UtcTicks);
                return ValueTask.FromResult(rep);
            }));
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000");
            SimUndo undo = net.SkewClock(server, TimeSpan.FromHours(1), 0);
            Message reply = await SimRpc.Call(client, rpc, "time", "");
            difference = new DateTimeOffset(BitConverter.ToInt64(reply.Payload), TimeSpan.Zero)
                - client.TimeProvider.GetUtcNow();
            undo.Undo();
            Assert.Equal(TimeSpan.Zero, server.TimeProvider.Offset);
        });
        Assert.InRange(difference, TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(20), TimeSpan.FromHours(1));
    }

    [Fact]
    public void Duplicated_requests_run_the_handler_twice()
    {
        // Goal: the duplicate fault delivers a frame twice, exposing handlers that are not idempotent. Method: the
        // client duplicates every frame; one call makes the handler run twice, and the client still gets its reply.
        var (sim, net, server, client) = NewPair();
        int runs = 0;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server, register: s => s.RegisterCall("count", (req, ct) =>
            {
                var rep = new Message();
                runs++;
                return ValueTask.FromResult(rep);
            }));
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000");
            net.Duplicate(client, 1.0);
            await SimRpc.Call(client, rpc, "count", "");
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
        });
        Assert.Equal(2, runs);
        Assert.True(net.Counters.Duplicated >= 1);
    }

    [Fact]
    public void Reorder_lets_later_frames_overtake_and_spikes_slow_calls_down()
    {
        // Goal: explicit reordering and latency spikes. Method: with reorder p = 0.5 the client sends 200 one-way
        // messages numbered in order; the server must see all of them and at least one out of order. Then a 1 s
        // spike on the server makes a call take at least 2 s.
        var (sim, net, server, client) = NewPair();
        var seen = new List<int>();
        TimeSpan spiked = default;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server, register: s => s.RegisterOneWay("note", (req, ct) =>
            {
                seen.Add(BitConverter.ToInt32(req.Payload));
                return ValueTask.CompletedTask;
            }));
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000");
            SimUndo reorder = net.Reorder(client, 0.5);
            await client.Start(async () =>
            {
                for (int i = 0; i < 200; i++)
                {
                    var message = new Message { Payload = BitConverter.GetBytes(i) };
                    message.Header.ServiceName = "note";
                    await rpc.SendAsync(message);
                    await Task.Delay(TimeSpan.FromMilliseconds(1), client.TimeProvider);
                }
            });
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            reorder.Undo();
            net.SpikeLatency(server, TimeSpan.FromSeconds(1));
            TimeSpan start = sim.Elapsed;
            await SimRpc.Call(client, rpc, "echo", "slow");
            spiked = sim.Elapsed - start;
        });
        Assert.Equal(Enumerable.Range(0, 200), seen.Order());
        Assert.NotEqual(Enumerable.Range(0, 200), seen);
        Assert.True(spiked >= TimeSpan.FromSeconds(2), $"spiked call took {spiked}");
    }

    [Fact]
    public void Drop_probability_one_half_loses_exactly_half_by_the_credit_counter()
    {
        // Goal: probabilistic drop is exact over many messages (test 1001). Method: drop p = 0.5 on the client's
        // circuit; 1,000 one-way messages; exactly 500 reach the handler.
        var (sim, net, server, client) = NewPair();
        int received = 0;
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server, register: s => s.RegisterOneWay("note", (req, ct) =>
            {
                received++;
                return ValueTask.CompletedTask;
            }));
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000");
            net.FaultCircuit(client, server, new DropDeafSpec(0.5, null));
            await client.Start(async () =>
            {
                for (int i = 0; i < 1000; i++)
                {
                    var message = new Message();
                    message.Header.ServiceName = "note";
                    await rpc.SendAsync(message);
                }
            });
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
        });
        Assert.Equal(500, received);
        Assert.Equal(500, net.Counters.Dropped);
    }

    [Fact]
    public void Stream_loss_stalls_then_resets_unless_repaired_in_time()
    {
        // Goal: the stream loss model behaves like TCP. Method: under StreamStall with a 5 s reset, a lost request
        // stalls the stream: a repair with late delivery at 1 s lets the call finish; a second loss left alone
        // resets the connection at 5 s and the waiting call fails with a closed connection, not a timeout.
        var logs = new RecordingLoggerFactory();
        var (sim, net, server, client) = NewPair(loss: LossModel.StreamStall, logs: logs);
        sim.Run(async () =>
        {
            await SimRpc.StartEchoServer(net, server);
            RpcClient rpc = await SimRpc.Connect(net, client, "srv:5000",
                c => c.DefaultCallTimeout = TimeSpan.FromSeconds(60));
            SimUndo drop = net.FaultCircuit(client, null, new DropDeafSpec(1.0, null));
            Task<Message> first = SimRpc.Call(client, rpc, "echo", "one");
            await Task.Delay(TimeSpan.FromSeconds(1), sim.Driver.TimeProvider);
            Assert.Equal(1, net.RepairCircuit(client, null, deliverLost: true));
            Assert.Equal("one", (await first).Text());

            net.FaultCircuit(client, null, new DropDeafSpec(1.0, null));
            TimeSpan start = sim.Elapsed;
            await Assert.ThrowsAsync<RpcConnectionClosedException>(() => SimRpc.Call(client, rpc, "echo", "two"));
            Assert.InRange(sim.Elapsed - start, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.1));
        });
        Assert.True(net.Counters.Resets >= 1);
        Assert.Contains(logs.Events, e => e.Id == 403 && e.Name == "StallReset");
    }
}
