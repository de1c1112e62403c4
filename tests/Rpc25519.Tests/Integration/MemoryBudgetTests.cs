using Rpc25519.Compression;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rpc25519.Messages;
using Rpc25519.Rpc;
using Rpc25519.Tests.Compression;
using ZstdSharp;

namespace Rpc25519.Tests.Integration;

/// <summary>Large and highly compressed requests take their decoded size from a shared budget; when it is spent,
/// further connections stop reading instead of allocating (issue 11, defect 2).</summary>
public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task Takers_wait_in_order_and_a_cancelled_waiter_does_not_hold_up_the_next()
    {
        var budget = new MemoryBudget(100_000);
        Assert.True(budget.TryTake(80_000));
        Task first = budget.TakeAsync(50_000, TaskCreationOptions.RunContinuationsAsynchronously, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        Task second = budget.TakeAsync(40_000, TaskCreationOptions.RunContinuationsAsynchronously, cancel.Token);
        Task third = budget.TakeAsync(10_000, TaskCreationOptions.RunContinuationsAsynchronously, CancellationToken.None);
        Assert.False(budget.TryTake(1), "a new taker must not overtake the waiting ones");

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        budget.Give(80_000);
        await Task.WhenAll(first, third).WaitAsync(Loopback.Patience);

        Assert.Equal(60_000, budget.InUseBytes);
        Assert.Equal(80_000, budget.PeakInUseBytes);
        Assert.False(budget.Fits(100_001));
    }

    [Fact]
    public async Task Compressed_requests_beyond_the_budget_wait_unread_until_earlier_ones_are_handled()
    {
        const int Decoded = 600 * 1024;
        // A request takes its decoder's working memory too while it is decoded, and keeps its own size while it is
        // handled: room for two in handlers and the decoding of a second, not a third.
        long cost = LargeFrameDecoder.CostOf((byte)CompressionAlgo.Zstd03, Decoded + 100);
        var budget = new MemoryBudget(cost + Decoded + Decoded / 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int inside = 0;
        int mostInside = 0;
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("hold", async (request, ct) =>
        {
            int now = Interlocked.Increment(ref inside);
            InterlockedMax(ref mostInside, now);
            await release.Task.WaitAsync(ct);
            Interlocked.Decrement(ref inside);
            return new Message { Payload = BitConverter.GetBytes(request.Payload.Length) };
        }), o => o.DecodeBudget = budget);
        await using var _ = server;
        var clients = new List<RpcClient>();
        var calls = new List<Task<Message>>();
        for (int i = 0; i < 4; i++)
        {
            // Zeros: a few hundred bytes on the wire, 600 KiB once decompressed.
            RpcClient client = await Loopback.ConnectAsync(port, o => o.Compression = CompressionAlgo.Zstd03);
            clients.Add(client);
            calls.Add(client.CallAsync(new Message { Payload = new byte[Decoded], Header = { ServiceName = "hold" } }));
        }

        await Peers.PeerHarness.Eventually(() => Volatile.Read(ref inside) == 2 &&
            server.SessionsForTests().Count(session => session.Connection.IsWaitingForBudget) == 2,
            "two requests in handlers and two connections waiting for the budget");
        Assert.True(budget.InUseBytes <= budget.CapacityBytes);
        release.SetResult();
        Message[] replies = await Task.WhenAll(calls).WaitAsync(Loopback.Patience);

        Assert.All(replies, reply => Assert.Equal(Decoded, BitConverter.ToInt32(reply.Payload)));
        Assert.Equal(2, mostInside);
        await Peers.PeerHarness.Eventually(() => budget.InUseBytes == 0, "the budget to be given back");
        foreach (RpcClient client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_zstd_bomb_that_needs_more_than_the_whole_budget_is_refused_before_anything_is_decompressed()
    {
        // 60 MiB of zeros in a few KiB, under the 64 MiB frame limit, against a 16 MiB budget.
        var budget = new MemoryBudget(16L * 1024 * 1024);
        var closed = new ConcurrentDictionary<string, Exception?>();
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo, o => o.DecodeBudget = budget);
        await using var _ = server;
        server.ClientDisconnected += (_, e) => closed[e.RemoteAddress] = e.CloseReason;
        await using RpcClient good = await Loopback.ConnectAsync(port);

        using var bomber = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await bomber.ConnectAsync(IPAddress.Loopback, port);
        await bomber.SendAsync(ZeroBomb(60 * 1024 * 1024));

        Exception? reason = await RawFrames.WaitForCloseAsync(closed, $"tcp://{bomber.LocalEndPoint}");
        Assert.Equal(ProtocolViolation.FrameOverBudget, Assert.IsType<RpcProtocolException>(reason).Violation);
        Assert.Equal(0, budget.PeakDecodeBufferBytes);
        Assert.Equal(0, budget.PeakInUseBytes);
        Assert.Equal("still here", (await good.CallAsync(Loopback.Request("echo", "still here"))).Text());
    }

    [Fact]
    public async Task Zstd_bombs_on_many_connections_never_hold_more_decompressed_bytes_than_the_budget()
    {
        const int Decoded = 6 * 1024 * 1024;
        var budget = new MemoryBudget(16L * 1024 * 1024);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("size", (request, _) =>
            ValueTask.FromResult(new Message { Payload = BitConverter.GetBytes(request.Payload.Length) })),
            o => o.DecodeBudget = budget);
        await using var _ = server;
        var sockets = new List<Socket>();
        try
        {
            byte[] bomb = ZeroBomb(Decoded, "size");
            for (int i = 0; i < 4; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                await socket.SendAsync(bomb);
                await socket.SendAsync(bomb);
            }
            foreach (Socket socket in sockets)
            {
                for (int call = 0; call < 2; call++)
                {
                    Message reply = (await RawFrames.ReadFrameAsync(socket)).Message;
                    Assert.Equal(Decoded, BitConverter.ToInt32(reply.Payload));
                }
            }
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }

        Assert.InRange(budget.PeakDecodeBufferBytes, Decoded, budget.CapacityBytes);
        Assert.InRange(budget.PeakInUseBytes, Decoded, budget.CapacityBytes);
        await Peers.PeerHarness.Eventually(() => budget.InUseBytes == 0 && budget.DecodeBufferBytes == 0,
            "the budget to be given back");
    }

    /// <summary>A zstd request frame whose payload is <paramref name="payloadBytes"/> zeros, compressed in pieces so
    /// that the test itself never holds the decompressed body.</summary>
    private static byte[] ZeroBomb(int payloadBytes, string service = "echo")
    {
        // Encode with a small bin32 payload, then make its declared length the real one: the zeros follow.
        byte[] sample = new byte[70_000];
        var encoded = new System.Buffers.ArrayBufferWriter<byte>();
        Message request = RawFrames.EchoRequest(sample);
        request.Header.ServiceName = service;
        MessageCodec.Encode(request, encoded);
        byte[] head = encoded.WrittenSpan[..^sample.Length].ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(head.Length - 4), payloadBytes);

        using var zstd = new Compressor(3);
        zstd.SetPledgedSrcSize((ulong)(head.Length + payloadBytes));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        output.GetSpan(FrameCompressor.LengthPrefixBytes);
        output.Advance(FrameCompressor.LengthPrefixBytes);
        Compress(zstd, head, output, final: false);
        byte[] zeros = new byte[1024 * 1024];
        for (int left = payloadBytes; left > 0; left -= zeros.Length)
        {
            Compress(zstd, zeros.AsSpan(0, Math.Min(left, zeros.Length)), output, final: left <= zeros.Length);
        }
        byte[] body = output.WrittenSpan.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(body, head.Length + payloadBytes);
        return RawFrames.WithHeader(body, (byte)CompressionAlgo.Zstd03);
    }

    private static void Compress(Compressor zstd, ReadOnlySpan<byte> input, System.Buffers.ArrayBufferWriter<byte> output,
        bool final)
    {
        while (true)
        {
            System.Buffers.OperationStatus status = zstd.WrapStream(input, output.GetSpan(64 * 1024), out int consumed,
                out int written, final);
            output.Advance(written);
            input = input[consumed..];
            if (final ? status == System.Buffers.OperationStatus.Done : input.IsEmpty)
            {
                return;
            }
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }
}
