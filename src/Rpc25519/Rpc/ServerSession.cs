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

    /// <summary>Guards <see cref="_running"/>.</summary>
    private readonly Lock _lock = new();

    /// <summary>Cancellation of each running two-way handler, by call ID key (<see cref="MessageHeader.CallIdKey"/>).
    /// </summary>
    private readonly Dictionary<CallIds.Running, CancellationTokenSource> _running =
        new(CallIds.RunningCallComparer.Instance);

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

    /// <summary>Makes the cancellation source for a handler and records it under its call ID.</summary>
    public CancellationTokenSource BeginHandler(MessageHeader request, TimeProvider timeProvider)
    {
        CancellationTokenSource source =
            request.Deadline is { } deadline && TimerRange.Until(deadline, timeProvider.GetUtcNow()) is { } left
                ? new CancellationTokenSource(left, timeProvider)
                : new CancellationTokenSource();
        bool closed;
        lock (_lock)
        {
            closed = Connection.CloseReason is not null;
            // A call ID reused while its first call still runs leaves the first one remotely cancellable only.
            _running.TryAdd(new CallIds.Running(request.CallIdKey, request.SequenceNumber), source);
        }
        if (closed)
        {
            source.Cancel();
        }
        return source;
    }

    public void EndHandler(CallIds.Running callId, CancellationTokenSource source)
    {
        lock (_lock)
        {
            if (_running.TryGetValue(callId, out CancellationTokenSource? found) && ReferenceEquals(found, source))
            {
                _running.Remove(callId);
            }
        }
        source.Dispose();
    }

    /// <summary>Cancels the running handler with this call ID key, if any.</summary>
    public void CancelHandler(CallIds.Running callId)
    {
        CancellationTokenSource? source;
        lock (_lock)
        {
            _running.TryGetValue(callId, out source);
        }
        TryCancel(source);
    }

    /// <summary>Whether the handler registered under <paramref name="callId"/> has been cancelled (for tests).</summary>
    internal bool IsHandlerCancelled(string callId)
    {
        lock (_lock)
        {
            return _running.TryGetValue(new CallIds.Running(callId, 0), out CancellationTokenSource? source)
                && source.IsCancellationRequested;
        }
    }

    /// <summary>Cancels every running handler (connection closed or server stopping).</summary>
    public void CancelAllHandlers()
    {
        CancellationTokenSource[] sources;
        lock (_lock)
        {
            sources = [.. _running.Values];
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
