using Rpc25519.Messages;
using Rpc25519.Transport;

namespace Rpc25519.Rpc;

/// <summary>
/// One client connection on a server: the session layer plus the handlers it is running, so that a
/// <see cref="WireCallType.CancelPrevious"/> from that client (and only that client) can cancel them.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class ServerSession : IRpcConnectionOwner
{
    private readonly IServerSessionOwner _server;

    /// <summary>Guards <see cref="_running"/> and each running invocation's
    /// <see cref="HandlerInvocation.CancelClaimed"/>.</summary>
    private readonly Lock _lock = new();

    /// <summary>Each running two-way handler, by call ID key (<see cref="MessageHeader.CallIdKey"/>), for remote
    /// cancellation.</summary>
    private readonly Dictionary<CallIds.Running, HandlerInvocation> _running =
        new(CallIds.RunningCallComparer.Instance);

    /// <summary>How many ended invocations a session keeps for reuse: enough for the handlers a client usually runs
    /// at once, small enough that an idle session holds little.</summary>
    internal const int MaxSpareInvocations = 16;

    /// <summary>Ended invocations kept for reuse.</summary>
    private readonly SpareStack<HandlerInvocation> _spare = new(MaxSpareInvocations);

    public ServerSession(IServerSessionOwner server, IConnection connection, EndpointContext endpoint)
    {
        _server = server;
        Connection = new RpcConnection(connection, endpoint, this, endpoint.Config.ServerKeepAliveInterval,
            endpoint.Config.MaxBufferedBytesPerConnection, serverSide: true);
        Connection.MirrorPeerCompression = true;
    }

    public RpcConnection Connection { get; }

    /// <summary>The server this session reports to.</summary>
    public IServerSessionOwner Server => _server;

    public string RemoteAddress => Connection.RemoteAddress;

    /// <summary>Two-way requests of this client dispatched whose reply has not been queued yet.</summary>
    private int _repliesOwed;

    /// <summary>Counts a two-way request whose reply is now owed (called on the reader loop at dispatch).</summary>
    public void ReplyOwed() => Interlocked.Increment(ref _repliesOwed);

    /// <summary>Counts a reply as paid; returns whether other replies are still owed (then they will follow soon
    /// and can share a flush with this one).</summary>
    public bool ReplyPaidMoreOwed() => Interlocked.Decrement(ref _repliesOwed) > 0;

    /// <summary>The string fields of the last reply made by a handler here, shared by the next one alike.</summary>
    private HeaderStrings? _lastReplyStrings;

    /// <summary>The string fields of a reply to a call of <paramref name="serviceName"/> (its
    /// <see cref="MessageHeader.ServiceName"/> and <see cref="MessageHeader.FromServiceName"/>): the last reply's
    /// object when it has the same.</summary>
    public HeaderStrings ReplyStrings(string from, string to, string serviceName, string subject) =>
        HeaderStrings.Shared(ref _lastReplyStrings, from, to, serviceName, serviceName, subject);

    /// <summary>Takes a spare <see cref="HandlerInvocation"/> of this session, or makes one; it comes back through
    /// <see cref="Recycle"/> when it has ended.</summary>
    public HandlerInvocation RentInvocation() => _spare.TryPop() ?? new HandlerInvocation(this);

    /// <summary>How many ended invocations wait for reuse (for tests).</summary>
    internal int SpareInvocationsForTests => _spare.Count;

    /// <summary>Keeps an ended invocation for a later request (at most <see cref="MaxSpareInvocations"/>; the rest
    /// are left to the collector); takes no lock. The caller no longer touches it.</summary>
    public void Recycle(HandlerInvocation invocation) => _spare.Push(invocation);

    /// <summary>Records a two-way handler under its call ID, so that a remote cancel finds it.</summary>
    /// <returns>False when the connection is already closed: the caller cancels the handler's source at once (it
    /// was marked as claimed by a canceller, so it is not reset for reuse).</returns>
    public bool BeginHandler(CallIds.Running callId, HandlerInvocation invocation)
    {
        lock (_lock)
        {
            if (Connection.CloseReason is not null)
            {
                invocation.CancelClaimed = true;
                return false;
            }
            // A call ID reused while its first call still runs leaves the first one remotely cancellable only.
            _running.TryAdd(callId, invocation);
            return true;
        }
    }

    /// <summary>Forgets a two-way handler that has ended.</summary>
    /// <returns>Whether its cancellation source may be reset and reused: no canceller has looked it up (a
    /// canceller marks it under the lock before cancelling, outside the lock), and none can from now on.</returns>
    public bool EndHandler(CallIds.Running callId, HandlerInvocation invocation)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(callId, out HandlerInvocation? found) && ReferenceEquals(found, invocation))
            {
                _running.Remove(callId);
            }
            return !invocation.CancelClaimed;
        }
    }

    /// <summary>Cancels the running handler with this call ID key, if any.</summary>
    public void CancelHandler(CallIds.Running callId)
    {
        CancellationTokenSource? source = null;
        lock (_lock)
        {
            if (_running.TryGetValue(callId, out HandlerInvocation? invocation))
            {
                invocation.CancelClaimed = true;
                source = invocation.Scope;
            }
        }
        TryCancel(source);
    }

    /// <summary>Whether the handler registered under <paramref name="callId"/> has been cancelled (for tests).</summary>
    internal bool IsHandlerCancelled(string callId)
    {
        lock (_lock)
        {
            return _running.TryGetValue(new CallIds.Running(callId, 0), out HandlerInvocation? invocation)
                && invocation.Scope is { IsCancellationRequested: true };
        }
    }

    /// <summary>Cancels every running handler (connection closed or server stopping).</summary>
    public void CancelAllHandlers()
    {
        List<CancellationTokenSource> sources = [];
        lock (_lock)
        {
            foreach (HandlerInvocation invocation in _running.Values)
            {
                invocation.CancelClaimed = true;
                if (invocation.Scope is { } scope)
                {
                    sources.Add(scope);
                }
            }
        }
        foreach (CancellationTokenSource source in sources)
        {
            TryCancel(source);
        }
    }

    void IRpcConnectionOwner.OnMessageReceived(RpcConnection connection, Message message) =>
        _server.Dispatch(this, message);

    void IRpcConnectionOwner.OnConnectionClosed(RpcConnection connection, Exception reason)
    {
        CancelAllHandlers();
        _server.OnSessionClosed(this);
    }

    private static void TryCancel(CancellationTokenSource? source)
    {
        try
        {
            source?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handler finished between the lookup and the cancel; nothing left to stop.
        }
    }
}
