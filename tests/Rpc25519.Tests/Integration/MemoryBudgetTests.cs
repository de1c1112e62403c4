using Rpc25519.Compression;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Large and highly compressed requests take their decoded size from a shared budget; when it is spent,
/// further connections stop reading instead of allocating (issue 11, defect 2).</summary>
public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task Takers_wait_in_order_and_a_cancelled_waiter_does_not_hold_up_the_next()
    {
        var budget = new MemoryBudget(100_000);
        Assert.True(budget.TryTake(budget.CostOf(80_000)));
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
        Assert.Equal(100_000, budget.CostOf(5_000_000));
    }

    [Fact]
    public async Task Compressed_requests_beyond_the_budget_wait_unread_until_earlier_ones_are_handled()
    {
        const int Decoded = 600 * 1024;
        var budget = new MemoryBudget(2 * Decoded + Decoded / 2);
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

    private static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }
}
