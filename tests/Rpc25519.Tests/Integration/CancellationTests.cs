using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>Remote cancellation, deadlines and timeouts reach the handler, and the caller is never left hanging.</summary>
public sealed class CancellationTests
{
    [Fact]
    public async Task Cancelling_the_callers_token_cancels_the_handler_and_returns_at_once()
    {
        var signals = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(signals.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        using var cts = new CancellationTokenSource();

        Task<Message> call = client.CallAsync(Loopback.Request("wait"), cts.Token);
        await signals.Started.Task.WaitAsync(Loopback.Patience);
        cts.Cancel();

        // Exactly TaskCanceledException, as awaiting any cancelled task throws (callers catch it by that type).
        TaskCanceledException e =
            await Assert.ThrowsAsync<TaskCanceledException>(() => call.WaitAsync(Loopback.Patience));
        Assert.True(call.IsCanceled, "the call's task is cancelled, as an async method's would be");
        Assert.Equal(cts.Token, e.CancellationToken);
        await signals.Cancelled.Task.WaitAsync(Loopback.Patience);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task An_already_cancelled_token_sends_nothing()
    {
        var calls = 0;
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("count", (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(new Message());
        }));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.CallAsync(Loopback.Request("count"), new CancellationToken(true)));
        await client.CallAsync(Loopback.Request("count"));

        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task The_requests_deadline_becomes_the_handlers_token_deadline()
    {
        var signals = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(signals.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        DateTimeOffset deadline = DateTimeOffset.UtcNow.AddMilliseconds(300);
        Message request = Loopback.Request("wait");
        request.Header.Deadline = deadline;

        await Assert.ThrowsAsync<RpcTimeoutException>(() => client.CallAsync(request));

        DateTimeOffset? seen = await signals.Cancelled.Task.WaitAsync(Loopback.Patience);
        Assert.Equal(deadline, seen);
        // Never before the deadline (timers count coarse milliseconds and could fire up to one early): a server that
        // cancels early sends its "cancelled" reply before the caller's deadline, and the caller sees a remote error
        // instead of the timeout.
        Assert.True(signals.CancelledAt >= deadline, $"cancelled at {signals.CancelledAt:O}, deadline {deadline:O}");
        // Timers may fire a hair early against the wall clock; what matters is that the wait lasted until the deadline.
        Assert.True(DateTimeOffset.UtcNow >= deadline - TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task Default_timeout_fails_the_call_and_cancels_the_handler()
    {
        var signals = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(signals.Register);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port,
            c => c.DefaultCallTimeout = TimeSpan.FromMilliseconds(200));

        RpcTimeoutException error = await Assert.ThrowsAsync<RpcTimeoutException>(
            () => client.CallAsync(Loopback.Request("wait")).WaitAsync(Loopback.Patience));

        Assert.Contains("wait", error.Message);
        await signals.Cancelled.Task.WaitAsync(Loopback.Patience);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Many_timeouts_fire_in_order_while_other_calls_succeed()
    {
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            new WaitingHandler().Register(s);
            Loopback.Echo(s);
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port,
            c => c.DefaultCallTimeout = TimeSpan.FromMilliseconds(300));

        Task<Message>[] waits = Enumerable.Range(0, 50)
            .Select(_ => client.CallAsync(Loopback.Request("wait"))).ToArray();
        Message meanwhile = Loopback.Request("echo", "meanwhile");
        meanwhile.Header.Deadline = DateTimeOffset.UtcNow + Loopback.Patience;
        Message echoed = await client.CallAsync(meanwhile);

        Assert.Equal("meanwhile", echoed.Text());
        foreach (Task<Message> wait in waits)
        {
            await Assert.ThrowsAsync<RpcTimeoutException>(() => wait.WaitAsync(Loopback.Patience));
        }
    }
}
