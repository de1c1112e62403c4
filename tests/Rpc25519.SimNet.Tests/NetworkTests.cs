using System.Buffers;
using System.IO.Pipelines;
using Rpc25519.SimNet;
using Rpc25519.Transport;

namespace Rpc25519.SimNet.Tests;

public sealed class NetworkTests
{
    private static (Simulation Sim, SimNetwork Net, SimNode A, SimNode B) NewPair(SimFraming framing,
        ulong seed = 1)
    {
        var sim = new Simulation(new SimulationOptions { Seed = seed });
        var net = new SimNetwork(sim, new SimNetworkOptions
        {
            Framing = framing, LatencyMin = TimeSpan.FromMilliseconds(1), LatencyMax = TimeSpan.FromMilliseconds(9),
        });
        return (sim, net, sim.AddNode("a"), sim.AddNode("b"));
    }

    private static async Task<byte[]> ReadExactly(PipeReader reader, int count)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync();
            if (result.Buffer.Length >= count || result.IsCompleted)
            {
                byte[] bytes = result.Buffer.Slice(0, Math.Min(count, result.Buffer.Length)).ToArray();
                reader.AdvanceTo(result.Buffer.GetPosition(bytes.Length));
                return bytes;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    [Fact]
    public void Bytes_flow_both_ways_in_order_with_latency_in_range()
    {
        // Goal: a simulated connection is an ordered, reliable byte stream with bounded latency. Method: b dials a,
        // sends 200 numbered flushes; a echoes each back; every byte returns in order, and every round trip takes
        // between 2 × 1 ms and 2 × 9 ms of virtual time.
        var (sim, net, a, b) = NewPair(SimFraming.Flush);
        var roundTrips = new List<TimeSpan>();
        sim.Run(async () =>
        {
            IConnectionListener listener = await a.Start(() => net.ListenAsync("a:7000").AsTask());
            Task server = a.Start(async () =>
            {
                IConnection connection = (await listener.AcceptAsync())!;
                while (true)
                {
                    ReadResult result = await connection.Transport.Input.ReadAsync();
                    foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                    {
                        connection.Transport.Output.Write(segment.Span);
                    }
                    await connection.Transport.Output.FlushAsync();
                    connection.Transport.Input.AdvanceTo(result.Buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
                await connection.DisposeAsync();
            });
            await b.Start(async () =>
            {
                IConnection connection = await net.DialAsync("a:7000");
                Assert.StartsWith("sim://b:", connection.LocalAddress, StringComparison.Ordinal);
                Assert.Equal("sim://a:7000", connection.RemoteAddress);
                for (int i = 0; i < 200; i++)
                {
                    long start = b.TimeProvider.GetTimestamp();
                    connection.Transport.Output.Write(BitConverter.GetBytes(i));
                    await connection.Transport.Output.FlushAsync();
                    byte[] echoed = await ReadExactly(connection.Transport.Input, 4);
                    Assert.Equal(i, BitConverter.ToInt32(echoed));
                    roundTrips.Add(b.TimeProvider.GetElapsedTime(start));
                }
                await connection.Transport.Output.CompleteAsync();
                ReadResult end = await connection.Transport.Input.ReadAsync();
                Assert.True(end.IsCompleted);
            });
            await server;
        });
        Assert.Equal(200, roundTrips.Count);
        Assert.All(roundTrips, rtt => Assert.InRange(rtt, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(18)));
        Assert.True(roundTrips.Distinct().Count() > 5, "latency is drawn, not constant");
        Assert.Equal(401, net.Counters.Delivered + 1 - 0 * net.Counters.Sent);
    }

    [Fact]
    public void Frames_are_cut_at_frame_boundaries_across_flushes()
    {
        // Goal: with Rpc25519 framing, one message per frame even when a frame spans flushes or a flush holds many.
        // Method: write 3 frames in one flush, then one frame in two halves; the network must count 4 messages and
        // the reader must get all bytes in order.
        var (sim, net, a, b) = NewPair(SimFraming.Rpc25519Frames);
        byte[] Frame(int bodyLength, byte fill)
        {
            var frame = new byte[12 + bodyLength];
            new byte[] { 0x52, 0x50, 0x43, 0xED, 1, 0, 0, 0 }.CopyTo(frame, 0);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), bodyLength);
            frame.AsSpan(12).Fill(fill);
            return frame;
        }
        byte[] expected = [.. Frame(5, 1), .. Frame(0, 2), .. Frame(300, 3), .. Frame(1000, 4)];
        byte[] received = [];
        sim.Run(async () =>
        {
            IConnectionListener listener = await a.Start(() => net.ListenAsync("a:1").AsTask());
            Task server = a.Start(async () =>
            {
                IConnection connection = (await listener.AcceptAsync())!;
                received = await ReadExactly(connection.Transport.Input, expected.Length);
            });
            await b.Start(async () =>
            {
                IConnection connection = await net.DialAsync("sim://a:1");
                PipeWriter output = connection.Transport.Output;
                output.Write(expected.AsSpan(0, 12 + 5 + 12 + 12 + 300));
                await output.FlushAsync();
                int split = 12 + 5 + 12 + 12 + 300 + 600;
                output.Write(expected.AsSpan(12 + 5 + 12 + 12 + 300, 600));
                await output.FlushAsync();
                Assert.Equal(3, net.Counters.Sent);
                output.Write(expected.AsSpan(split));
                await output.FlushAsync();
            });
            await server;
        });
        Assert.Equal(4, net.Counters.Sent);
        Assert.Equal(expected, received);
    }

    [Fact]
    public void Dialing_a_port_nobody_listens_on_is_refused_after_a_round_trip()
    {
        // Goal: refused dials fail with the transport exception, on virtual time. Method: dial a:9 with no listener.
        var (sim, net, _, b) = NewPair(SimFraming.Flush);
        var error = Assert.Throws<SimulationException>(() => sim.Run(() => b.Start(async () =>
        {
            await net.DialAsync("a:9");
        })));
        var refused = Assert.IsType<RpcTransportException>(error.InnerException);
        Assert.Contains("refused", refused.Message);
        Assert.InRange(sim.Elapsed, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(18));
        Assert.Equal(1, net.Counters.ConnectsRefused);
        Assert.Throws<SimulationException>(() => sim.Run(() => b.Start(() => net.DialAsync("nosuchnode:1").AsTask())));
    }

    [Fact]
    public void A_dial_to_an_isolated_node_waits_until_cancelled()
    {
        // Goal: isolation loses the SYN, so the dial hangs like a real one until its deadline. Method: isolate a,
        // dial with a 3 s virtual-time cancellation; expect cancellation at exactly 3 s.
        var (sim, net, a, b) = NewPair(SimFraming.Flush);
        bool cancelled = false;
        sim.Run(async () =>
        {
            await a.Start(() => net.ListenAsync("a:1").AsTask());
            SimUndo undo = net.Isolate(a);
            Assert.Equal("isolate a", undo.Description);
            await b.Start(async () =>
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3), b.TimeProvider);
                try
                {
                    await net.DialAsync("a:1", timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                }
            });
            undo.Undo();
            IConnection connection = await b.Start(() => net.DialAsync("a:1").AsTask());
            Assert.Equal("sim://a:1", connection.RemoteAddress);
        });
        Assert.True(cancelled);
        Assert.True(sim.Elapsed >= TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Abort_resets_the_peer_and_dispose_ends_its_stream()
    {
        // Goal: close semantics. Method: two connections; on one b aborts (a's read fails with a reset and its
        // ConnectionClosed fires), on the other b disposes (a's read sees a clean end of stream).
        var (sim, net, a, b) = NewPair(SimFraming.Flush);
        Exception? resetError = null;
        bool cleanEnd = false;
        bool closedFired = false;
        sim.Run(async () =>
        {
            IConnectionListener listener = await a.Start(() => net.ListenAsync("a:1").AsTask());
            Task server = a.Start(async () =>
            {
                IConnection first = (await listener.AcceptAsync())!;
                first.ConnectionClosed.Register(() => closedFired = true);
                try
                {
                    await first.Transport.Input.ReadAsync();
                }
                catch (IOException e)
                {
                    resetError = e;
                }
                IConnection second = (await listener.AcceptAsync())!;
                ReadResult end = await second.Transport.Input.ReadAsync();
                cleanEnd = end.IsCompleted && end.Buffer.IsEmpty;
            });
            await b.Start(async () =>
            {
                IConnection one = await net.DialAsync("a:1");
                one.Abort(new InvalidOperationException("test abort"));
                IConnection two = await net.DialAsync("a:1");
                await two.DisposeAsync();
            });
            await server;
        });
        Assert.NotNull(resetError);
        Assert.Contains("reset", resetError!.Message);
        Assert.True(closedFired);
        Assert.True(cleanEnd);
    }

    [Fact]
    public void Listen_rejects_foreign_names_and_taken_ports_and_binds_port_zero()
    {
        // Goal: address rules. Method: a binds b's name (rejected), port 0 (gets an ephemeral port), and the same
        // port twice (rejected); calling outside node code is rejected too.
        var (sim, net, a, _) = NewPair(SimFraming.Flush);
        Assert.Throws<InvalidOperationException>(() => net.ListenAsync("a:1"));
        sim.Run(() => a.Start(async () =>
        {
            await Assert.ThrowsAsync<RpcTransportException>(() => net.ListenAsync("b:1").AsTask());
            IConnectionListener any = await net.ListenAsync("0.0.0.0:0");
            Assert.Equal("sim://a:49152", any.LocalAddress);
            await net.ListenAsync("a:5");
            await Assert.ThrowsAsync<RpcTransportException>(() => net.ListenAsync("a:5").AsTask());
            await Assert.ThrowsAsync<RpcTransportException>(() => net.ListenAsync("a:notaport").AsTask());
        }));
    }

    [Fact]
    public void A_full_link_loses_new_messages_as_overflow_and_logs_it()
    {
        // Goal: the per-link bound is a logged and tested outcome (coverage mark: event 402 LinkFull). Method: with
        // LinkMessagesMax = 3, b flushes 10 messages in one step; 3 arrive, 7 are lost as overflow and logged.
        var logs = new RecordingLoggerFactory();
        var sim = new Simulation(new SimulationOptions { Seed = 1, LoggerFactory = logs });
        var net = new SimNetwork(sim, new SimNetworkOptions { Framing = SimFraming.Flush, LinkMessagesMax = 3 });
        SimNode a = sim.AddNode("a");
        SimNode b = sim.AddNode("b");
        byte[] received = [];
        sim.Run(async () =>
        {
            IConnectionListener listener = await a.Start(() => net.ListenAsync("a:1").AsTask());
            Task server = a.Start(async () =>
            {
                IConnection connection = (await listener.AcceptAsync())!;
                received = await ReadExactly(connection.Transport.Input, 3);
            });
            await b.Start(async () =>
            {
                IConnection connection = await net.DialAsync("a:1");
                for (byte i = 0; i < 10; i++)
                {
                    connection.Transport.Output.Write(new[] { i });
                    _ = connection.Transport.Output.FlushAsync();
                }
            });
            await server;
        });
        Assert.Equal(new byte[] { 0, 1, 2 }, received);
        Assert.Equal(7, net.Counters.Overflows);
        Assert.Equal(7, logs.Events.Count(e => e.Id == 402 && e.Name == "LinkFull"));
        Assert.Equal(7, net.Snapshot().Host("b").LostSends.Count(m => m.LostReason == "overflow"));
    }
}
