using System.Diagnostics;
using System.Runtime.CompilerServices;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// A two-way call waiting for its reply, and the source of the task its caller awaits. Completed exactly once: by the
/// reply, a timeout, cancellation, a send failure or the connection closing. Reused: its <see cref="CallTable"/> keeps
/// a few finished ones, so that a call allocates its <see cref="Task{TResult}"/> and nothing else here.
/// </summary>
/// <remarks>
/// <para>The outcome is decided (<see cref="TryClaim"/>, <see cref="TryFail"/>) apart from being published to the task
/// (<see cref="Execute"/>), which runs the caller's continuation. With the default scheduler no caller code may run on
/// a connection's loops (see <see cref="EndpointContext.AsyncContinuations"/>): a failure is published from the
/// thread pool, and a reply by the reader loop only once the loop waits for bytes again (see
/// <c>RpcConnection.TryStage</c>), which saves a thread hop per call. With any other scheduler the outcome is
/// published at once, where it was decided.</para>
/// <para>Reuse is safe because of <see cref="Holders"/>: everyone who may still touch the call after it was handed
/// out holds a bit, and only once the last bit is released does the call go back to its table. A holder never
/// releases a bit twice (releasing clears it), so a late timer, a late cancellation callback or a late send completion
/// always acts on the call it was made for. The caller's side never sees this object, only the task.</para>
/// </remarks>
internal sealed class PendingCall : ISendCompletion, IThreadPoolWorkItem, ISpareItem<PendingCall>
{
    /// <summary>Who may still touch a call handed out by <see cref="CallTable.Register"/>.</summary>
    [Flags]
    public enum Holders
    {
        None = 0,

        /// <summary>The call is in the table, or was removed by someone not yet done with it (who releases this
        /// bit after its last use, e.g. after sending a remote cancel).</summary>
        Table = 1,

        /// <summary>The outcome is not published yet (released at the end of <see cref="Execute"/>).</summary>
        Outcome = 2,

        /// <summary>The request frame is not known to be out: released by <see cref="ISendCompletion.OnSent"/> or
        /// <see cref="ISendCompletion.OnSendFailed"/>, or by whoever learns that the frame never entered the
        /// queue.</summary>
        Send = 4,

        /// <summary>The caller's cancellation registration may still run its callback (released by whoever
        /// unregisters it, or at the end of the callback).</summary>
        Registration = 8,

        /// <summary>A timer of its own may still fire: never released, so a call with its own deadline is not
        /// reused (such calls are rare; their timer cannot tell when a late callback has finished).</summary>
        OwnTimer = 16,
    }

    /// <summary>The <see cref="Holders"/> of the current use (set by <see cref="Begin"/>; each bit is cleared once).
    /// </summary>
    private int _holders;

    /// <summary>Whether a reply that reports an error fails the task (<see cref="ReplyErrors"/>) instead of being its
    /// result.</summary>
    private bool _replyErrorsThrow;

    /// <summary>Whether failures are published from the thread pool (see the remarks).</summary>
    private readonly bool _publishFailuresOnPool;

    /// <summary>1 once the outcome is decided.</summary>
    private int _completed;

    /// <summary>The outcome, once decided: the reply <see cref="Message"/>, or the <see cref="Exception"/>.</summary>
    private object? _outcome;

    /// <summary>Makes the task of the current use and completes it.</summary>
    private AsyncTaskMethodBuilder<Message> _task;

    /// <summary>0 while the caller's registration is being made; 1 once it is stored in
    /// <see cref="_registration"/>; 2 once the outcome was decided (whoever comes second unregisters).</summary>
    private int _registrationState;

    /// <summary>Unhooks the caller's cancellation token once the call completes.</summary>
    private CancellationTokenRegistration _registration;

    /// <param name="table">The table the call waits in, for all its uses.</param>
    /// <param name="publishFailuresOnPool">See <see cref="_publishFailuresOnPool"/>
    /// (<see cref="EndpointContext.AsyncContinuations"/>).</param>
    public PendingCall(CallTable table, bool publishFailuresOnPool)
    {
        Table = table;
        _publishFailuresOnPool = publishFailuresOnPool;
    }

    public CallTable Table { get; }

    /// <summary>The request of the current use.</summary>
    public Message Request { get; private set; } = null!;

    /// <summary>The task of the current use: read it once, right after <see cref="CallTable.Register"/>, before the
    /// request is queued (after that the call may complete and be reused at any moment).</summary>
    public Task<Message> Task => _task.Task;

    /// <summary>The request's sequence number, kept apart from the request (whose header the caller may reuse once
    /// the call completes).</summary>
    public ulong SequenceNumber { get; private set; }

    /// <summary>When the call times out, in <see cref="TimeProvider.GetTimestamp"/> units; <see cref="long.MaxValue"/>
    /// for never.</summary>
    public long DueTimestamp { get; private set; }

    /// <summary>Whether this call is in the table's default-timeout list (ordered by due time).</summary>
    public bool InTimeoutList { get; set; }

    /// <summary>Neighbours in the table's default-timeout list (guarded by the table's lock).</summary>
    public PendingCall? Previous { get; set; }

    /// <summary>Neighbours in the table's default-timeout list (guarded by the table's lock).</summary>
    public PendingCall? Next { get; set; }

    /// <inheritdoc />
    public PendingCall? NextSpare { get; set; }

    /// <summary>A timer of its own, for a call whose deadline differs from the default timeout.</summary>
    public ITimer? OwnTimer { get; set; }

    /// <summary>Prepares the call for one use (it is not yet visible to anyone but its table).</summary>
    /// <param name="request">The request.</param>
    /// <param name="dueTimestamp">See <see cref="DueTimestamp"/>.</param>
    /// <param name="replyErrorsThrow">See <see cref="_replyErrorsThrow"/>.</param>
    /// <param name="holders">The holders it starts with.</param>
    public void Begin(Message request, long dueTimestamp, bool replyErrorsThrow, Holders holders)
    {
        Debug.Assert(Volatile.Read(ref _holders) == 0, "A call is reused only once nobody holds it.");
        Request = request;
        SequenceNumber = request.Header.SequenceNumber;
        DueTimestamp = dueTimestamp;
        _replyErrorsThrow = replyErrorsThrow;
        _completed = 0;
        _outcome = null;
        _registrationState = 0;
        _registration = default;
        OwnTimer = null;
        _task = AsyncTaskMethodBuilder<Message>.Create();
        _ = _task.Task;
        Volatile.Write(ref _holders, (int)holders);
    }

    /// <summary>Releases one holder's bit (a second release of the same bit does nothing); the last one gives the
    /// call back to its table.</summary>
    public void Release(Holders holder)
    {
        int before = Interlocked.And(ref _holders, ~(int)holder);
        if ((before & (int)holder) != 0 && before == (int)holder)
        {
            Request = null!;
            _outcome = null;
            _registration = default;
            Table.Recycle(this);
        }
    }

    /// <summary>Stores the caller's cancellation registration (made with <see cref="Holders.Registration"/> held).
    /// </summary>
    public void SetRegistration(CancellationTokenRegistration registration)
    {
        _registration = registration;
        if (Interlocked.CompareExchange(ref _registrationState, 1, 0) == 2)
        {
            // Decided while the registration was being made.
            Unregister();
        }
    }

    /// <summary>The end of the cancellation callback.</summary>
    public void CancellationCallbackDone() => Release(Holders.Registration);

    /// <summary>Decides the outcome: <paramref name="reply"/>. The caller publishes it with <see cref="Execute"/>, at
    /// once or later.</summary>
    /// <returns>False if the outcome was already decided.</returns>
    public bool TryClaim(Message reply)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _outcome = reply;
        DropRegistration();
        return true;
    }

    /// <summary>Fails the call and publishes the failure (from the pool with the default scheduler); an
    /// <see cref="OperationCanceledException"/> cancels its task (with the exception's token; awaiting it throws a
    /// <see cref="TaskCanceledException"/>).</summary>
    public bool TryFail(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _outcome = error;
        DropRegistration();
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

    /// <summary>Lets the call go, then publishes the decided outcome to the task (running its continuations here).
    /// </summary>
    /// <remarks>The call is released first, from copies of what publishing needs (the builder is a reference to the
    /// task), so that a caller whose continuation makes its next call at once, here, reuses this very object.</remarks>
    public void Execute()
    {
        object outcome = _outcome!;
        AsyncTaskMethodBuilder<Message> task = _task;
        bool replyErrorsThrow = _replyErrorsThrow;
        Release(Holders.Outcome);
        if (outcome is Exception error)
        {
            // An OperationCanceledException cancels the task, with the exception's token; awaiting it throws a
            // TaskCanceledException, as a cancelled TaskCompletionSource's task does, with the library's message.
            task.SetException(error is OperationCanceledException and not TaskCanceledException
                ? new TaskCanceledException(error.Message, error.InnerException,
                    ((OperationCanceledException)error).CancellationToken)
                : error);
        }
        else if (replyErrorsThrow && ReplyErrors.ToException((Message)outcome) is { } replyError)
        {
            task.SetException(replyError);
        }
        else
        {
            task.SetResult((Message)outcome);
        }
    }

    void ISendCompletion.OnSent() => Release(Holders.Send);

    void ISendCompletion.OnSendFailed(Exception error)
    {
        Table.Fail(this, error);
        Release(Holders.Send);
    }

    /// <summary>The outcome is decided: unhook the caller's token (if its registration is stored already).</summary>
    private void DropRegistration()
    {
        if (Interlocked.Exchange(ref _registrationState, 2) == 1)
        {
            Unregister();
        }
    }

    private void Unregister()
    {
        // True only if the callback will never run; otherwise the callback releases the bit when it ends.
        if (_registration.Unregister())
        {
            Release(Holders.Registration);
        }
    }
}
