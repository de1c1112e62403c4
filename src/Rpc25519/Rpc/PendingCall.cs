using System.Threading.Tasks.Sources;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// A two-way call waiting for its reply. Completed exactly once: by the reply, a timeout, cancellation, a send failure
/// or the connection closing. With the default scheduler, continuations run asynchronously so that no caller code runs
/// on a connection's loops (see <see cref="EndpointContext.AsyncContinuations"/>).
/// </summary>
internal sealed class PendingCall : IValueTaskSource<Message>, ISendCompletion
{
    private ManualResetValueTaskSourceCore<Message> _core;

    /// <summary>1 once a result or error has been set; guards the one-shot core.</summary>
    private int _completed;

    public PendingCall(CallTable table, Message request, long dueTimestamp, bool asyncContinuations)
    {
        _core.RunContinuationsAsynchronously = asyncContinuations;
        Table = table;
        Request = request;
        DueTimestamp = dueTimestamp;
    }

    public CallTable Table { get; }

    public Message Request { get; }

    public ulong SequenceNumber => Request.Header.SequenceNumber;

    /// <summary>When the call times out, in <see cref="TimeProvider.GetTimestamp"/> units; <see cref="long.MaxValue"/>
    /// for never.</summary>
    public long DueTimestamp { get; }

    /// <summary>Whether this call is in the table's default-timeout list (ordered by due time).</summary>
    public bool InTimeoutList { get; set; }

    /// <summary>Neighbours in the table's default-timeout list (guarded by the table's lock).</summary>
    public PendingCall? Previous { get; set; }

    /// <summary>Neighbours in the table's default-timeout list (guarded by the table's lock).</summary>
    public PendingCall? Next { get; set; }

    /// <summary>A timer of its own, for a call whose deadline differs from the default timeout.</summary>
    public ITimer? OwnTimer { get; set; }

    /// <summary>Unhooks the caller's cancellation token once the call completes.</summary>
    public CancellationTokenRegistration CancellationRegistration { get; set; }

    public ValueTask<Message> AsValueTask() => new(this, _core.Version);

    public bool TryComplete(Message reply)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _core.SetResult(reply);
        return true;
    }

    public bool TryFail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _core.SetException(error);
        return true;
    }

    void ISendCompletion.OnSent()
    {
    }

    void ISendCompletion.OnSendFailed(Exception error) => Table.Fail(this, error);

    Message IValueTaskSource<Message>.GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            CancellationRegistration.Dispose();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<Message>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<Message>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
