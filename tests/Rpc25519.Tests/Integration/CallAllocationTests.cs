using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Runs alone: the allocation counter is process-wide, so tests running beside it would count too.</summary>
[CollectionDefinition(nameof(AllocationCounting), DisableParallelization = true)]
public sealed class AllocationCounting;

/// <summary>What a plain call costs in garbage, both sides together in this process (an allocation count, not a
/// timing: it holds on a busy machine). The bound is generous; it catches a per-call object or string creeping back
/// onto the hot path (about 700 bytes per 64-byte echo in Release — the caller's own request included — down from
/// 1,700, then 1,160 before calls, handler invocations and cancellation sources were reused).</summary>
[Collection(nameof(AllocationCounting))]
public sealed class CallAllocationTests
{
#if DEBUG
    // Debug builds keep async state machines as classes, allocated on every call even when they finish at once
    // (about 1,950 bytes per call here).
    private const double BoundBytesPerCall = 2304;
#else
    private const double BoundBytesPerCall = 896;
#endif

    [Fact]
    public async Task A_64_byte_echo_allocates_within_a_bound_per_call_on_both_sides_together()
    {
        const int Calls = 2000;
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        byte[] payload = new byte[64];

        // On the pool, away from xunit's synchronization context (which allocates per await on its own). The counter
        // is process-wide, so work left over from earlier tests (connections closing, timers) can only add to a
        // batch: the least of three batches is the calls' own cost.
        double perCall = await Task.Run(async () =>
        {
            await EchoAsync(client, payload, Calls);
            double least = double.MaxValue;
            for (int batch = 0; batch < 3; batch++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                await EchoAsync(client, payload, Calls);
                least = Math.Min(least, (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / Calls);
            }
            return least;
        });

        Assert.True(perCall <= BoundBytesPerCall,
            $"{perCall:F0} bytes allocated per call (client and server), more than {BoundBytesPerCall}");
    }

    private static async Task EchoAsync(RpcClient client, byte[] payload, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            var request = new Message { Payload = payload };
            request.Header.ServiceName = "echo";
            Message reply = await client.CallAsync(request);
            if (reply.Payload.Length != payload.Length)
            {
                // Not Assert.Equal: it allocates a comparer per call, which would count here.
                Assert.Fail($"The echo returned {reply.Payload.Length} bytes instead of {payload.Length}.");
            }
        }
    }
}
