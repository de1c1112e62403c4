namespace Rpc25519.Rpc.Streams;

/// <summary>The sending side's credit for one stream direction (see <see cref="StreamCredit"/>).</summary>
/// <remarks>Thread-safe: grants come from the reader loop, waits from the one sender.</remarks>
internal sealed class StreamOutbox
{
    /// <summary>Guards every field below.</summary>
    private readonly Lock _lock = new();

    /// <summary>Credit total the receiver allows.</summary>
    private long _allowed = StreamCredit.InitialBytes;

    /// <summary>Credit bytes sent.</summary>
    private long _sent;

    /// <summary>Why no more may be sent (remote end, cancel, connection lost).</summary>
    private Exception? _error;

    private TaskCompletionSource? _waiter;

    /// <summary>Options of <see cref="_waiter"/> (<see cref="RpcConnection.CompletionOptions"/>).</summary>
    private readonly TaskCreationOptions _completionOptions;

    public StreamOutbox(TaskCreationOptions completionOptions)
    {
        _completionOptions = completionOptions;
    }

    /// <summary>Raises the allowed total (an absolute value: a stale, smaller grant changes nothing).</summary>
    public void Grant(long allowed)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            if (allowed <= _allowed)
            {
                return;
            }
            _allowed = allowed;
            wake = _waiter;
            _waiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Stops the sender; the first reason wins.</summary>
    public void Fail(Exception error)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _error ??= error;
            wake = _waiter;
            _waiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Waits until there is credit, then spends <paramref name="cost"/> of it.</summary>
    /// <exception cref="Exception">The stream can no longer be sent on.</exception>
    public async ValueTask SpendAsync(long cost, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_error is not null)
                {
                    throw _error;
                }
                if (_sent < _allowed)
                {
                    _sent += cost;
                    return;
                }
                _waiter ??= new TaskCompletionSource(_completionOptions);
                wait = _waiter.Task;
            }
            if (Diagnostics.RpcMetrics.StreamCreditStalls.Enabled)
            {
                Diagnostics.RpcMetrics.StreamCreditStalls.Add(1);
            }
            await wait.WaitAsync(cancellationToken);
        }
    }
}
