using System.Diagnostics;
using System.Runtime.InteropServices;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// The two-way calls of one connection that wait for a reply, keyed by sequence number.
/// </summary>
/// <remarks>
/// <para>Timeouts cost no timer per call: calls that use the connection's default timeout become due in the order they
/// were made, so they sit in a linked list ordered by due time and one timer, armed for the head, serves them all. A call
/// with its own deadline gets its own timer.</para>
/// <para>Thread-safe. Completions (which may run caller code through continuations) happen outside the lock.</para>
/// </remarks>
internal sealed class CallTable : IDisposable
{
    /// <summary>Guards <see cref="_calls"/>, the timeout list and <see cref="_closedReason"/>.</summary>
    private readonly Lock _lock = new();

    private readonly Dictionary<ulong, PendingCall> _calls = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _defaultTimeout;
    private readonly Action<PendingCall> _sendCancel;
    private readonly ITimer _timeoutTimer;
    private readonly bool _asyncContinuations;

    /// <summary>Oldest call in the default-timeout list (due first).</summary>
    private PendingCall? _head;

    /// <summary>Newest call in the default-timeout list (due last).</summary>
    private PendingCall? _tail;

    /// <summary>How many finished calls a table keeps for reuse: as many as callers usually wait on one connection
    /// at once.</summary>
    internal const int MaxSpareCalls = 64;

    /// <summary>Finished calls kept for reuse (see <see cref="Recycle"/>).</summary>
    private readonly SpareStack<PendingCall> _spare = new(MaxSpareCalls);

    /// <summary>Set once the connection is gone; new calls fail with it at once.</summary>
    private Exception? _closedReason;

    /// <param name="timeProvider">Clock for due times and timers.</param>
    /// <param name="defaultTimeout">Timeout of calls without a deadline; infinite for none.</param>
    /// <param name="sendCancel">Sends a remote cancellation for a call that timed out or was cancelled.</param>
    /// <param name="asyncContinuations">See <see cref="EndpointContext.AsyncContinuations"/>.</param>
    public CallTable(TimeProvider timeProvider, TimeSpan defaultTimeout, Action<PendingCall> sendCancel,
        bool asyncContinuations)
    {
        _asyncContinuations = asyncContinuations;
        _timeProvider = timeProvider;
        _defaultTimeout = defaultTimeout;
        _sendCancel = sendCancel;
        _timeoutTimer = timeProvider.CreateTimer(static s => ((CallTable)s!).OnTimeoutTimer(), this,
            Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Adds a call for <paramref name="request"/> (whose <see cref="MessageHeader.SequenceNumber"/> is set and unique).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call (and sends a remote cancel).</param>
    /// <param name="replyErrorsThrow">Whether a reply that reports an error fails the call's task (see
    /// <see cref="ReplyErrors"/>) instead of being its result.</param>
    /// <param name="alone">Whether no other call was waiting when this one was added.</param>
    /// <returns>The call, held by <see cref="PendingCall.Holders.Send"/> for the caller: queue its request with the
    /// call as the frame's completion, or release that bit if the frame never enters the queue.</returns>
    /// <exception cref="RpcConnectionClosedException">The connection is already closed.</exception>
    public PendingCall Register(Message request, CancellationToken cancellationToken, bool replyErrorsThrow,
        out bool alone)
    {
        long now = _timeProvider.GetTimestamp();
        // The delay of the call's own timer: it must not fire before the deadline (the system's timers can fire a
        // few milliseconds early), while the verdict on a reply uses the exact due time.
        TimeSpan? ownTimeout = null;
        long due = long.MaxValue;
        if (request.Header.Deadline is { } deadline)
        {
            // A deadline beyond any timer's range is no deadline in effect: no timer, and not the default timeout.
            DateTimeOffset utcNow = _timeProvider.GetUtcNow();
            if (TimerRange.Until(deadline, utcNow) is { } left)
            {
                due = now + ToTimestampTicks(left);
                ownTimeout = TimerRange.NotBefore(deadline, utcNow, _timeProvider);
            }
        }
        else if (_defaultTimeout != Timeout.InfiniteTimeSpan)
        {
            due = now + ToTimestampTicks(_defaultTimeout);
        }
        PendingCall.Holders holders = PendingCall.Holders.Table | PendingCall.Holders.Outcome |
            PendingCall.Holders.Send;
        if (cancellationToken.CanBeCanceled)
        {
            holders |= PendingCall.Holders.Registration;
        }
        if (ownTimeout is not null)
        {
            holders |= PendingCall.Holders.OwnTimer;
        }
        ulong seqno = request.Header.SequenceNumber;
        PendingCall call;
        bool armTimer = false;
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                throw ClosedError(_closedReason);
            }
            // One lookup: the slot is added here and filled below, once the sequence number is known to be free.
            ref PendingCall? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_calls, seqno, out bool waiting);
            if (waiting)
            {
                throw new InvalidOperationException($"Sequence number {seqno} is already waiting for a reply.");
            }
            call = _spare.TryPop() ?? new PendingCall(this, _asyncContinuations);
            call.Begin(request, due, replyErrorsThrow, holders);
            slot = call;
            alone = _calls.Count == 1;
            if (ownTimeout is null && due != long.MaxValue)
            {
                armTimer = _head is null;
                AppendLocked(call);
            }
        }
        if (armTimer)
        {
            _timeoutTimer.Change(_defaultTimeout, Timeout.InfiniteTimeSpan);
        }
        if (ownTimeout is { } timeout)
        {
            call.OwnTimer = _timeProvider.CreateTimer(static s => OnOwnTimer((PendingCall)s!), call, timeout,
                Timeout.InfiniteTimeSpan);
        }
        if (cancellationToken.CanBeCanceled)
        {
            call.SetRegistration(cancellationToken.UnsafeRegister(static (s, token) =>
            {
                var cancelled = (PendingCall)s!;
                cancelled.Table.Cancel(cancelled, token);
                cancelled.CancellationCallbackDone();
            }, call));
        }
        return call;
    }

    /// <summary>The call ID key (<see cref="MessageHeader.CallIdKey"/>) of the call waiting for a reply with
    /// <paramref name="seqno"/>, or null.</summary>
    public object? TryGetCallId(ulong seqno)
    {
        lock (_lock)
        {
            return _calls.TryGetValue(seqno, out PendingCall? call) ? call.Request.Header.CallIdKey : null;
        }
    }

    /// <summary>How many finished calls wait for reuse (for tests).</summary>
    internal int SpareCountForTests => _spare.Count;

    /// <summary>Keeps a call nobody holds any more for reuse (see <see cref="PendingCall.Holders"/>); takes no lock.
    /// </summary>
    public void Recycle(PendingCall call)
    {
        if (Volatile.Read(ref _closedReason) is null)
        {
            _spare.Push(call);
        }
    }

    /// <summary>Takes the call waiting for <paramref name="reply"/>'s sequence number; false if none waits.</summary>
    /// <param name="reply">The reply.</param>
    /// <param name="claimed">The call, its outcome decided as <paramref name="reply"/>: publish it with
    /// <see cref="PendingCall.Execute"/> (at once or staged). Null when the reply came too late and the call failed
    /// with a timeout instead.</param>
    public bool TryComplete(Message reply, out PendingCall? claimed)
    {
        claimed = null;
        PendingCall? call;
        lock (_lock)
        {
            if (!_calls.Remove(reply.Header.SequenceNumber, out call))
            {
                return false;
            }
            UnlinkLocked(call);
        }
        call.OwnTimer?.Dispose();
        bool result;
        // A reply that arrives once the deadline has passed loses the race to the timeout, whichever timer fired
        // first: the caller sees one outcome for "too late", not sometimes a reply and sometimes a timeout.
        if (call.DueTimestamp <= _timeProvider.GetTimestamp())
        {
            result = call.TryFail(TimeoutError(call));
        }
        else if (call.TryClaim(reply))
        {
            // Held by the outcome until it is published.
            claimed = call;
            result = true;
        }
        else
        {
            result = false;
        }
        call.Release(PendingCall.Holders.Table);
        return result;
    }

    /// <summary>Fails one call (e.g. its request could not be sent).</summary>
    public void Fail(PendingCall call, Exception error)
    {
        if (Remove(call))
        {
            call.TryFail(error);
            call.Release(PendingCall.Holders.Table);
        }
    }

    /// <summary>Fails every waiting call and every later one with <paramref name="reason"/>.</summary>
    public void Close(Exception reason)
    {
        PendingCall[] calls;
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                return;
            }
            _closedReason = reason;
            calls = [.. _calls.Values];
            _calls.Clear();
            _head = _tail = null;
            _spare.Clear();
        }
        _timeoutTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        foreach (PendingCall call in calls)
        {
            call.OwnTimer?.Dispose();
            call.TryFail(ClosedError(reason));
            call.Release(PendingCall.Holders.Table);
        }
    }

    public void Dispose() => _timeoutTimer.Dispose();

    private void Cancel(PendingCall call, CancellationToken token) => RemoveAndFail(call, token);

    private static void OnOwnTimer(PendingCall call) => call.Table.RemoveAndFail(call, cancelledBy: null);

    /// <summary>Fails a call that is still in the table and tells the server: cancelled by the caller's
    /// <paramref name="cancelledBy"/>, or timed out (null).</summary>
    private void RemoveAndFail(PendingCall call, CancellationToken? cancelledBy)
    {
        if (!Remove(call))
        {
            return;
        }
        Exception error = cancelledBy is { } token
            ? new OperationCanceledException(
                "The call was cancelled by the caller; a cancellation was sent to the server.", token)
            : TimeoutError(call);
        if (call.TryFail(error))
        {
            _sendCancel(call);
        }
        call.Release(PendingCall.Holders.Table);
    }

    private void OnTimeoutTimer()
    {
        List<PendingCall>? expired = null;
        TimeSpan? next = null;
        lock (_lock)
        {
            long now = _timeProvider.GetTimestamp();
            while (_head is { } head && head.DueTimestamp <= now)
            {
                UnlinkLocked(head);
                _calls.Remove(head.SequenceNumber);
                (expired ??= []).Add(head);
            }
            if (_head is { } first)
            {
                next = _timeProvider.GetElapsedTime(now, first.DueTimestamp);
            }
        }
        if (next is { } delay)
        {
            _timeoutTimer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        }
        foreach (PendingCall call in expired ?? [])
        {
            if (call.TryFail(TimeoutError(call)))
            {
                _sendCancel(call);
            }
            call.Release(PendingCall.Holders.Table);
        }
    }

    private bool Remove(PendingCall call)
    {
        lock (_lock)
        {
            // Sequence numbers are never reused on a connection, so the entry, if any, is this call.
            if (!_calls.Remove(call.SequenceNumber))
            {
                return false;
            }
            UnlinkLocked(call);
        }
        call.OwnTimer?.Dispose();
        return true;
    }

    private void AppendLocked(PendingCall call)
    {
        Debug.Assert(!call.InTimeoutList, "A call is linked once.");
        call.InTimeoutList = true;
        call.Previous = _tail;
        if (_tail is null)
        {
            _head = call;
        }
        else
        {
            _tail.Next = call;
        }
        _tail = call;
    }

    private void UnlinkLocked(PendingCall call)
    {
        if (!call.InTimeoutList)
        {
            return;
        }
        call.InTimeoutList = false;
        if (call.Previous is null)
        {
            _head = call.Next;
        }
        else
        {
            call.Previous.Next = call.Next;
        }
        if (call.Next is null)
        {
            _tail = call.Previous;
        }
        else
        {
            call.Next.Previous = call.Previous;
        }
        call.Previous = call.Next = null;
    }

    private long ToTimestampTicks(TimeSpan span) =>
        (long)(span.Ticks * ((double)_timeProvider.TimestampFrequency / TimeSpan.TicksPerSecond));

    private static RpcTimeoutException TimeoutError(PendingCall call) => new(
        $"No reply to '{call.Request.Header.ServiceName}' (call {call.Request.Header.CallId}) before its deadline; " +
        "a cancellation was sent to the server. Raise RpcOptions.DefaultCallTimeout or set MessageHeader.Deadline for slow calls.");

    private static RpcConnectionClosedException ClosedError(Exception reason) => new(
        $"The connection is closed ({reason.Message}); create a new client to reconnect.", reason);
}
