using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Tests.Integration;
using static Rpc25519.Tests.Peers.PeerHarness;

namespace Rpc25519.Tests.Peers;

/// <summary>Per-circuit credit back-pressure: a slow reader stalls only its own circuit, nothing is dropped, order
/// holds; a remote that ignores its credit loses its circuit, not the connection.</summary>
public sealed class BackPressureTests
{
    [Fact]
    public async Task A_slow_reader_stalls_only_its_own_circuit_and_loses_nothing()
    {
        const int window = 4;
        await using PeerHarness h = await StartAsync(c => c.Peers.CircuitWindow = window);
        (LocalPeer local, Circuit slow) = await h.OpenFromClientAsync(Echo, "slow", Sink);
        Circuit fast = await slow.OpenSiblingCircuitAsync("fast");
        Circuit slowRemote = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        Circuit fastRemote = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        Assert.Equal("slow", slowRemote.Name);

        // Nobody reads the slow circuit: a window's worth goes out, the next send waits.
        for (int i = 0; i < window; i++)
        {
            await slow.SendAsync(new Fragment { Part = i }).WaitAsync(Loopback.Patience);
        }
        Task blocked = slow.SendAsync(new Fragment { Part = window });
        await Eventually(() => slow.SendsWaitingForCredit == 1, "the send past the window to wait for credit");
        Assert.False(blocked.IsCompleted);

        // Meanwhile the sibling circuit on the same connection flows freely, many windows' worth.
        for (int i = 0; i < 50 * window; i++)
        {
            await fast.SendAsync(new Fragment { Part = i }).WaitAsync(Loopback.Patience);
            Assert.Equal(i, (await ReadAsync(fastRemote.Reads)).Part);
        }
        Assert.False(blocked.IsCompleted);

        // The slow reader catches up: the waiting send goes out and every fragment arrives, in order.
        for (int i = 0; i <= window; i++)
        {
            Assert.Equal(i, (await ReadAsync(slowRemote.Reads)).Part);
        }
        await blocked.WaitAsync(Loopback.Patience);
        Assert.False(slow.IsClosed);
    }

    [Fact]
    public async Task Large_fragments_spend_more_credit_so_the_window_bounds_bytes_too()
    {
        // 8 units; a 12 KiB fragment costs 4: two fit, the third waits for the reader.
        await using PeerHarness h = await StartAsync(c => c.Peers.CircuitWindow = 8);
        (LocalPeer _, Circuit circuit) = await h.OpenFromClientAsync(Echo, "large", Sink);
        Circuit remote = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        byte[] payload = new byte[12 * 1024];
        await circuit.SendAsync(new Fragment { Payload = payload, Part = 0 })
            .WaitAsync(Loopback.Patience);
        await circuit.SendAsync(new Fragment { Payload = payload, Part = 1 })
            .WaitAsync(Loopback.Patience);
        Task third = circuit.SendAsync(new Fragment { Payload = payload, Part = 2 });
        await Eventually(() => circuit.SendsWaitingForCredit == 1, "the third fragment to wait for credit");
        Assert.False(third.IsCompleted);
        // Reading a quarter window's worth (one fragment, 4 units >= 2) returns credit.
        Assert.Equal(0, (await ReadAsync(remote.Reads)).Part);
        await third.WaitAsync(Loopback.Patience);
        Assert.Equal(1, (await ReadAsync(remote.Reads)).Part);
        Assert.Equal(2, (await ReadAsync(remote.Reads)).Part);
    }

    [Fact]
    public async Task Ten_thousand_fragments_arrive_in_order_on_one_circuit()
    {
        const int count = 10_000;
        await using PeerHarness h = await StartAsync();
        (LocalPeer local, Circuit circuit) = await h.OpenFromClientAsync(Echo, "bulk", Sink);
        Circuit remote = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                await circuit.SendAsync(new Fragment { Part = i, Payload = BitConverter.GetBytes(i) });
            }
        });
        for (int i = 0; i < count; i++)
        {
            Fragment fragment = await ReadAsync(remote.Reads);
            Assert.Equal(i, fragment.Part);
            Assert.Equal(i, BitConverter.ToInt32(fragment.Payload));
        }
        await sending.WaitAsync(Loopback.Patience);
        Assert.False(remote.Reads.TryRead(out _));
    }

    [Fact]
    public async Task Concurrent_senders_on_one_small_window_circuit_each_keep_their_order()
    {
        const int senders = 8;
        const int each = 500;
        await using PeerHarness h = await StartAsync(c => c.Peers.CircuitWindow = 16);
        (LocalPeer _, Circuit circuit) = await h.OpenFromClientAsync(Echo, "shared", Sink);
        Circuit remote = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        Task sending = Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            for (int i = 0; i < each; i++)
            {
                await circuit.SendAsync(new Fragment { Operation = sender, Part = i });
            }
        })));
        long[] next = new long[senders];
        for (int n = 0; n < senders * each; n++)
        {
            Fragment fragment = await ReadAsync(remote.Reads);
            Assert.Equal(next[fragment.Operation]++, fragment.Part);
        }
        await sending.WaitAsync(Loopback.Patience);
        Assert.All(next, count => Assert.Equal(each, count));
    }

    [Theory]
    [InlineData(2, 0)] // three empty fragments into a 2-unit window
    [InlineData(8, 12 * 1024)] // three 4-unit fragments into an 8-unit window: only 3 of 8 fragment slots are used
    public async Task A_remote_that_sends_beyond_its_credit_loses_the_circuit_not_the_connection(int window,
        int payloadBytes)
    {
        await using PeerHarness h = await StartAsync(c => c.Peers.CircuitWindow = window);
        (LocalPeer local, Circuit circuit) = await h.OpenFromClientAsync(Echo, "greedy", Sink);
        Circuit remote = await Within(h.ServerSinkCircuits.Reader.ReadAsync().AsTask());
        // Raw traffic that bypasses the credit check, as a broken remote would send it.
        for (int i = 0; i < 3; i++)
        {
            await h.Client.SendAsync(new Message(new MessageHeader
            {
                CallType = CallType.PeerTraffic, CallId = circuit.CircuitId, ToPeerId = remote.LocalPeer.PeerId,
                StreamPart = i,
            })
            {
                Payload = new byte[payloadBytes],
            });
        }
        await Eventually(() => circuit.IsClosed, "the overrun circuit closed at the sender too");
        Assert.True(remote.IsClosed);
        Assert.Contains("credit window", remote.CloseReason!.Message);
        Assert.Contains("credit window", circuit.CloseReason!.Message);
        // What had arrived within the window is still readable; the connection and the peers are fine.
        Assert.Equal(0, (await ReadAsync(remote.Reads)).Part);
        Assert.True(h.Client.IsConnected);
        Assert.False(local.IsClosed);
    }
}
