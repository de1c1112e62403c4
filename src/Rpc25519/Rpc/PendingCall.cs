using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// A two-way call waiting for its reply, and the task its caller awaits: one object per call (the completion source)
/// plus its <see cref="Task{TResult}"/>, nothing else. Completed exactly once: by the reply, a timeout, cancellation,
/// a send failure or the connection closing.
/// </summary>
/// <remarks>
/// The outcome is decided (<see cref="TryClaim"/>, <see cref="TryFail"/>) apart from being published to the task
/// (<see cref="Execute"/>), which runs the caller's continuation. With the default scheduler no caller code may run on
/// a connection's loops (see <see cref="EndpointContext.AsyncContinuations"/>): a failure is published from the
/// thread pool, and a reply by the reader loop only once the loop waits for bytes again (see
/// <c>RpcConnection.TryStage</c>), which saves a thread hop per call. With any other scheduler the outcome is
/// published at once, where it was decided.
/// </remarks>
internal sealed class PendingCall : TaskCompletionSource<Message>, ISendCompletion, IThreadPoolWorkItem
{
    /// <summary>Whether a reply that reports an error fails the task (<see cref="ReplyErrors"/>) instead of being its
    /// result.</summary>
    private readonly bool _replyErrorsThrow;

    /// <summary>Whether failures are published from the thread pool (see the remarks).</summary>
    private readonly bool _publishFailuresOnPool;

    /// <summary>1 once the outcome is decided.</summary>
    private int _completed;

    /// <summary>The outcome, once decided: the reply <see cref="Message"/>, or the <see cref="Exception"/>.</summary>
    private object? _outcome;

    /// <param name="table">The table the call waits in.</param>
    /// <param name="request">The request.</param>
    /// <param name="dueTimestamp">See <see cref="DueTimestamp"/>.</param>
    /// <param name="publishFailuresOnPool">See <see cref="_publishFailuresOnPool"/>
    /// (<see cref="EndpointContext.AsyncContinuations"/>).</param>
    /// <param name="replyErrorsThrow">See <see cref="_replyErrorsThrow"/>.</param>
    public PendingCall(CallTable table, Message request, long dueTimestamp, bool publishFailuresOnPool,
        bool replyErrorsThrow)
    {
        _publishFailuresOnPool = publishFailuresOnPool;
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

    /// <summary>Decides the outcome: <paramref name="reply"/>. The caller publishes it with <see cref="Execute"/>, at
    /// once or later.</summary>
    /// <returns>False if the outcome was already decided.</returns>
    public bool TryClaim(Message reply)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        CancellationRegistration.Unregister();
        _outcome = reply;
        return true;
    }

    /// <summary>Fails the call and publishes the failure (from the pool with the default scheduler); an
    /// <see cref="OperationCanceledException"/> cancels its task (with the exception's token), as an async method
    /// would.</summary>
    public bool TryFail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        CancellationRegistration.Unregister();
        _outcome = error;
        if (_publishFailuresOnPool)
        {
#pragma warning disable RS0030 // Only with the default scheduler, whose workers are the thread pool's: the same place
            // RunContinuationsAsynchronously would put the continuation, with no allocation.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
#pragma warning restore RS0030
        }
        else
        {
            Execute();
        }
        return true;
    }

    /// <summary>Publishes the decided outcome to the task (running its continuations here).</summary>
    public void Execute()
    {
        if (_outcome is Exception error)
        {
            if (error is OperationCanceledException cancelled)
            {
                TrySetCanceled(cancelled.CancellationToken);
            }
            else
            {
                TrySetException(error);
            }
        }
        else if (_replyErrorsThrow && ReplyErrors.ToException((Message)_outcome!) is { } replyError)
        {
            TrySetException(replyError);
        }
        else
        {
            TrySetResult((Message)_outcome!);
        }
    }

    void ISendCompletion.OnSent()
    {
    }

    void ISendCompletion.OnSendFailed(Exception error) => Table.Fail(this, error);
}
