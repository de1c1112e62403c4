using Microsoft.Extensions.Time.Testing;
using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// A client connection reuses the objects that wait for replies. Whatever arrives late for a finished call — its
/// caller's cancel, its timeout, its send completion, its reply — must never complete, cancel or time out the call
/// that reuses the object.
/// </summary>
public sealed class CallReuseTests
{
    /// <summary>Registers "echo" (the request's payload back), "slow" (echo once <paramref name="gate"/> opens) and
    /// "hang" (until cancelled).</summary>
    private static Action<RpcServer> Handlers(Task gate) => server =>
    {
        Loopback.Echo(server);
        server.RegisterCall("slow", async (request, _) =>
        {
            await gate;
            return new Message { Payload = request.Payload };
        });
        server.RegisterCall("hang", async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new Message();
        });
    };

    private static async Task ExpectEchoAsync(RpcClient client, string text, CancellationToken token = default)
    {
        Message reply = await client.CallAsync(Loopback.Request("echo", text), token).WaitAsync(Loopback.Patience);
        Assert.Equal(text, reply.Text());
    }

    [Fact]
    public async Task Cancelling_a_callers_token_after_its_call_completed_does_not_touch_the_call_that_reuses_it()
    {
        var (server, port) = await Loopback.StartServerAsync(Handlers(Task.CompletedTask));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        for (int i = 0; i < 50; i++)
        {
            using var first = new CancellationTokenSource();
            await ExpectEchoAsync(client, $"first {i}", first.Token);
            // The finished call's object is back for reuse ...
            // (its send completion may come a moment after its reply).
            await Peers.PeerHarness.Eventually(() => client.ConnectionForTests.Calls.SpareCountForTests > 0,
                "the finished call to be kept for reuse");
            using var second = new CancellationTokenSource();
            Task<Message> next = client.CallAsync(Loopback.Request("echo", $"second {i}"), second.Token);
            // ... and the first caller's cancel, late, must not reach the second call.
            first.Cancel();
            Assert.Equal($"second {i}", (await next.WaitAsync(Loopback.Patience)).Text());
        }
    }

    [Fact]
    public async Task A_call_that_timed_out_leaves_its_late_reply_and_its_timer_to_nobody_else()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(Handlers(gate.Task));
        await using var _ = server;
        // The client's clock moves only when told to: the timeout fires exactly when the test says, on a busy
        // machine too (the keep-alive is off so that moving the clock does not declare the server dead).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using RpcClient client = await Loopback.ConnectAsync(port, c =>
        {
            c.TimeProvider = clock;
            c.DefaultCallTimeout = TimeSpan.FromSeconds(5);
            c.ClientKeepAliveInterval = TimeSpan.Zero;
        });

        Task<Message> slow = client.CallAsync(Loopback.Request("slow", "late"));
        clock.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<RpcTimeoutException>(() => slow.WaitAsync(Loopback.Patience));
        // The timed-out call's object is reused by these calls (all in the timeout list, the clock standing still);
        // then its late reply arrives among them.
        Task[] echoes = [.. Enumerable.Range(0, 20).Select(i => ExpectEchoAsync(client, $"echo {i}"))];
        gate.SetResult();
        await Task.WhenAll(echoes);
        for (int i = 0; i < 20; i++)
        {
            await ExpectEchoAsync(client, $"after {i}");
        }
        // A call that reused a timed-out object still times out on its own schedule.
        Task<Message> second = client.CallAsync(Loopback.Request("hang"));
        clock.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<RpcTimeoutException>(() => second.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task A_request_that_cannot_be_sent_fails_alone_and_its_object_serves_the_next_call()
    {
        var (server, port) = await Loopback.StartServerAsync(Handlers(Task.CompletedTask));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port, c => c.MaxFrameBytes = 4096);

        for (int i = 0; i < 10; i++)
        {
            Message tooLarge = Loopback.Request("echo", new string('x', 8192));
            var error = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync(tooLarge).WaitAsync(Loopback.Patience));
            Assert.Contains("MaxFrameBytes", error.Message);
            await ExpectEchoAsync(client, $"fits {i}");
        }
    }

    [Fact]
    public async Task Many_callers_with_cancels_racing_their_replies_each_get_their_own_reply_or_a_cancel()
    {
        var (server, port) = await Loopback.StartServerAsync(Handlers(Task.CompletedTask));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        async Task CallerAsync(int caller)
        {
            for (int i = 0; i < 40; i++)
            {
                string text = $"{caller}:{i}";
                using var cts = new CancellationTokenSource();
                Task<Message> call = client.CallAsync(Loopback.Request("echo", text), cts.Token);
                if (i % 3 == caller % 3)
                {
                    // Races the reply: either outcome is fine, another call's reply is not.
                    cts.Cancel();
                }
                try
                {
                    Message reply = await call.WaitAsync(Loopback.Patience);
                    if (reply.Text() != text)
                    {
                        Assert.Fail($"caller {caller} got '{reply.Text()}' for '{text}'");
                    }
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                    // Cancelled before its reply came.
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 32).Select(caller => Task.Run(() => CallerAsync(caller))));
        await ExpectEchoAsync(client, "still fine");
    }
}
