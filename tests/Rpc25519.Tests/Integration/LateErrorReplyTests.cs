using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>An error reply that reaches the client after the call's deadline (the server ends the handler there, and
/// its reply can overtake the client's own timer) is the timeout; before the deadline it is the remote error.</summary>
public sealed class LateErrorReplyTests
{
    [Fact]
    public async Task An_error_reply_after_the_deadline_is_the_timeout_and_before_it_the_remote_error()
    {
        var gate = new SemaphoreSlim(0);
        var started = new SemaphoreSlim(0);
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("fail", async (_, _) =>
        {
            started.Release();
            await gate.WaitAsync();
            throw new InvalidOperationException("boom");
        }));
        await using var _ = server;
        // The client's clock is moved by the test, and its timers never fire, so the reply decides.
        var clock = new MovableClockWithoutTimers();
        await using RpcClient client = await Loopback.ConnectAsync(port, c =>
        {
            c.TimeProvider = clock;
            c.ClientKeepAliveInterval = TimeSpan.Zero;
        });

        Message before = Loopback.Request("fail");
        before.Header.Deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10);
        Task<Message> early = client.CallAsync(before);
        await started.WaitAsync(Loopback.Patience);
        gate.Release();
        var remote = await Assert.ThrowsAsync<RemoteException>(() => early.WaitAsync(Loopback.Patience));
        Assert.Contains("boom", remote.Message);

        Message after = Loopback.Request("fail");
        after.Header.Deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10);
        Task<Message> late = client.CallAsync(after);
        await started.WaitAsync(Loopback.Patience);
        clock.Offset = TimeSpan.FromMinutes(20);
        gate.Release();
        var timeout = await Assert.ThrowsAsync<RpcTimeoutException>(() => late.WaitAsync(Loopback.Patience));
        Assert.Contains("deadline", timeout.Message);
        Assert.True(client.IsConnected);
    }

    /// <summary>The system clock plus an offset the test sets; timers are accepted and never fire.</summary>
    private sealed class MovableClockWithoutTimers : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

        public override long GetTimestamp() =>
            System.GetTimestamp() + (long)(Offset.TotalSeconds * System.TimestampFrequency);

        public override long TimestampFrequency => System.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new NeverFires();

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
