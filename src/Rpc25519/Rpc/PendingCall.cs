using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// A two-way call waiting for its reply, and the task its caller awaits: one object per call (the completion source)
/// plus its <see cref="Task{TResult}"/>, nothing else. Completed exactly once: by the reply, a timeout, cancellation,
/// a send failure or the connection closing. With the default scheduler, continuations run asynchronously so that no
/// caller code runs on a connection's loops (see <see cref="EndpointContext.AsyncContinuations"/>).
/// </summary>
internal sealed class PendingCall : TaskCompletionSource<Message>, ISendCompletion
{
    /// <summary>Whether a reply that reports an error fails the task (<see cref="ReplyErrors"/>) instead of being its
    /// result.</summary>
    private readonly bool _replyErrorsThrow;

    /// <summary>1 once a result or error has been set.</summary>
    private int _completed;

    /// <param name="table">The table the call waits in.</param>
    /// <param name="request">The request.</param>
    /// <param name="dueTimestamp">See <see cref="DueTimestamp"/>.</param>
    /// <param name="options">From <see cref="EndpointContext.CompletionOptions"/>.</param>
    /// <param name="replyErrorsThrow">See <see cref="_replyErrorsThrow"/>.</param>
    public PendingCall(CallTable table, Message request, long dueTimestamp, TaskCreationOptions options,
        bool replyErrorsThrow)
        : base(options)
    {
        Table = table;
        Request = request;
        SequenceNumber = request.Header.SequenceNumber;
        DueTimestamp = dueTimestamp;
        _replyErrorsThrow = replyErrorsThrow;
    }

    public CallTable Table { get; }

    public Message Request { get; }

    /// <summary>The request's sequence number, kept apart from the request (whose header the caller may reuse once
    /// the call completes).</summary>
    public ulong SequenceNumber { get; }

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

    public bool TryComplete(Message reply)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        CancellationRegistration.Unregister();
        if (_replyErrorsThrow && ReplyErrors.ToException(reply) is { } error)
        {
            TrySetException(error);
        }
        else
        {
            TrySetResult(reply);
        }
        return true;
    }

    /// <summary>Fails the call; an <see cref="OperationCanceledException"/> cancels its task (with the exception's
    /// token), as an async method would.</summary>
    public bool TryFail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        CancellationRegistration.Unregister();
        if (error is OperationCanceledException cancelled)
        {
            TrySetCanceled(cancelled.CancellationToken);
        }
        else
        {
            TrySetException(error);
        }
        return true;
    }

    void ISendCompletion.OnSent()
    {
    }

    void ISendCompletion.OnSendFailed(Exception error) => Table.Fail(this, error);
}
