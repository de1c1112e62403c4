using System.Collections.Concurrent;
using System.Text;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// A server session reuses its handler invocations and, when nobody cancelled them, their cancellation sources. A
/// reused source must never carry a cancel meant for an earlier call into a later one.
/// </summary>
public sealed class HandlerReuseTests
{
    /// <summary>Registers "token" (records the handler's token; the reply says whether it was already cancelled) and
    /// "hold" (records its token, then waits until cancelled or <see cref="Gate"/> opens).</summary>
    private sealed class Handlers
    {
        public ConcurrentQueue<CancellationToken> Tokens { get; } = new();

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource HoldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Register(RpcServer server)
        {
            server.RegisterCall("token", (_, token) =>
            {
                Tokens.Enqueue(token);
                return ValueTask.FromResult(Reply(token));
            });
            server.RegisterCall("hold", async (_, token) =>
            {
                Tokens.Enqueue(token);
                HoldStarted.TrySetResult();
                try
                {
                    await Gate.Task.WaitAsync(token);
                }
                catch (OperationCanceledException)
                {
                    // Reported in the reply below.
                }
                return Reply(token);
            });
        }

        private static Message Reply(CancellationToken token) =>
            new() { Payload = Encoding.UTF8.GetBytes(token.IsCancellationRequested ? "cancelled" : "live") };
    }

    [Fact]
    public async Task A_remote_cancel_for_a_finished_call_does_not_cancel_the_next_call_that_reuses_its_source()
    {
        var handlers = new Handlers();
        var (server, port) = await Loopback.StartServerAsync(handlers.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message first = Loopback.Request("token");
        Assert.Equal("live", (await client.CallAsync(first)).Text());
        ServerSession session = Assert.Single(server.SessionsForTests());
        await WaitForSpareAsync(session);
        // The cancel of the finished call arrives late, as a CancelPrevious read after its reply went out would.
        session.CancelHandler(new CallIds.Running(first.Header.CallIdKey, first.Header.SequenceNumber));

        Assert.Equal("live", (await client.CallAsync(Loopback.Request("token"))).Text());
        CancellationToken[] tokens = [.. handlers.Tokens];
        Assert.Equal(2, tokens.Length);
        // The second call did reuse the first one's source (otherwise this test proves nothing) ...
        Assert.Equal(tokens[0], tokens[1]);
        // ... and it is still not cancelled after the handler ended.
        Assert.False(tokens[1].IsCancellationRequested);
    }

    [Fact]
    public async Task A_cancelled_handlers_source_is_not_reused()
    {
        var handlers = new Handlers();
        var (server, port) = await Loopback.StartServerAsync(handlers.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        using var cts = new CancellationTokenSource();
        Task<Message> held = client.CallAsync(Loopback.Request("hold"), cts.Token);
        await handlers.HoldStarted.Task.WaitAsync(Loopback.Patience);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(Loopback.Patience));
        await Peers.PeerHarness.Eventually(() => handlers.Tokens.TryPeek(out CancellationToken t) &&
            t.IsCancellationRequested, "the remote cancel to reach the held handler");
        // The cancelled handler may still be finishing; calls made meanwhile must all see live tokens.
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("live", (await client.CallAsync(Loopback.Request("token"))).Text());
        }
        CancellationToken[] tokens = [.. handlers.Tokens];
        Assert.All(tokens.Skip(1), token => Assert.NotEqual(tokens[0], token));
    }

    [Fact]
    public async Task A_handler_with_a_deadline_timer_gets_its_own_source_and_later_calls_reuse_a_plain_one()
    {
        var handlers = new Handlers();
        var (server, port) = await Loopback.StartServerAsync(handlers.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Message withDeadline = Loopback.Request("token");
        withDeadline.Header.Deadline = DateTimeOffset.UtcNow.AddMinutes(10);
        Assert.Equal("live", (await client.CallAsync(withDeadline)).Text());
        ServerSession session = Assert.Single(server.SessionsForTests());
        await WaitForSpareAsync(session);
        Assert.Equal("live", (await client.CallAsync(Loopback.Request("token"))).Text());
        await WaitForSpareAsync(session);
        Assert.Equal("live", (await client.CallAsync(Loopback.Request("token"))).Text());

        CancellationToken[] tokens = [.. handlers.Tokens];
        Assert.Equal(3, tokens.Length);
        Assert.NotEqual(tokens[0], tokens[1]);
        Assert.Equal(tokens[1], tokens[2]);
    }

    [Fact]
    public async Task Many_concurrent_calls_each_run_with_a_live_token_while_some_of_them_are_cancelled()
    {
        var handlers = new Handlers();
        var (server, port) = await Loopback.StartServerAsync(handlers.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        handlers.Gate.SetResult();

        for (int round = 0; round < 5; round++)
        {
            using var cts = new CancellationTokenSource();
            var calls = new List<Task<Message>>();
            for (int i = 0; i < 32; i++)
            {
                calls.Add(client.CallAsync(Loopback.Request(i % 4 == 0 ? "hold" : "token"),
                    i % 4 == 0 ? cts.Token : CancellationToken.None));
            }
            cts.Cancel();
            foreach (Task<Message> call in calls)
            {
                try
                {
                    Message reply = await call.WaitAsync(Loopback.Patience);
                    Assert.True(reply.Text() is "live" or "cancelled", reply.Text());
                }
                catch (OperationCanceledException)
                {
                    // One of the cancelled "hold" calls.
                }
            }
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal("live", (await client.CallAsync(Loopback.Request("token"))).Text());
            }
        }
    }

    /// <summary>Waits until the ended handler is back in its session: the client can have its reply (and send the
    /// next request) a moment before that.</summary>
    private static Task WaitForSpareAsync(ServerSession session) =>
        Peers.PeerHarness.Eventually(() => session.SpareInvocationsForTests > 0, "the ended handler to be kept for reuse");
}
