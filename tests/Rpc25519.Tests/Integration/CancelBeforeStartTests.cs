using System.Collections.Concurrent;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Tests.Integration;

/// <summary>
/// A cancel can overtake the start of its handler (a busy server queues handlers; the cancel is read right after the
/// request). It must still reach the handler: the handler's cancellation is registered when the request is
/// dispatched, not when the handler starts.
/// </summary>
public sealed class CancelBeforeStartTests
{
    /// <summary>Runs everything on the thread pool, except handler invocations, which wait for <see cref="Release"/>.</summary>
    private sealed class HoldHandlersScheduler : TaskScheduler
    {
        private readonly ConcurrentQueue<Task> _held = new();
        private volatile bool _released;

        public int HeldCount => _held.Count;

        public void Release()
        {
            _released = true;
            while (_held.TryDequeue(out Task? task))
            {
                ThreadPool.QueueUserWorkItem(_ => TryExecuteTask(task));
            }
        }

        protected override void QueueTask(Task task)
        {
            if (!_released && task.AsyncState is HandlerInvocation)
            {
                _held.Enqueue(task);
                return;
            }
            ThreadPool.QueueUserWorkItem(_ => TryExecuteTask(task));
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
            task.AsyncState is not HandlerInvocation && TryExecuteTask(task);

        protected override IEnumerable<Task> GetScheduledTasks() => _held;
    }

    [Fact]
    public async Task A_cancel_that_arrives_before_the_handler_starts_still_cancels_it()
    {
        var scheduler = new HoldHandlersScheduler();
        var waiter = new WaitingHandler();
        var (server, port) = await Loopback.StartServerAsync(waiter.Register, c => c.TaskScheduler = scheduler);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);
        using var cts = new CancellationTokenSource();

        Message request = Loopback.Request("wait");
        Task<Message> call = client.CallAsync(request, cts.Token);
        DateTime giveUp = DateTime.UtcNow + Loopback.Patience;
        while (scheduler.HeldCount == 0)
        {
            Assert.True(DateTime.UtcNow < giveUp, "the request never reached the server");
            await Task.Delay(10);
        }
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Loopback.Patience));
        // The cancel must have reached the server (and found the not-yet-started handler) before it may start.
        await Peers.PeerHarness.Eventually(
            () => server.SessionsForTests().Any(session => session.IsHandlerCancelled(request.Header.CallId)),
            "the cancel to reach the held handler's registration");
        scheduler.Release();

        await waiter.Cancelled.Task.WaitAsync(Loopback.Patience);
    }
}
