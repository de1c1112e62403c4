using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>A "wait" handler: signals when it starts, then waits for its token and reports how it ended.</summary>
internal sealed class WaitingHandler
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the request's deadline once the handler saw its token fire.</summary>
    public TaskCompletionSource<DateTimeOffset?> Cancelled { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When the handler saw its token fire (set before <see cref="Cancelled"/> completes).</summary>
    public DateTimeOffset CancelledAt { get; private set; }

    public void Register(RpcServer server) => server.RegisterCall("wait", async (req, ct) =>
    {
        Started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            CancelledAt = DateTimeOffset.UtcNow;
            Cancelled.TrySetResult(req.Header.Deadline);
            throw;
        }
        return new Message();
    });
}
