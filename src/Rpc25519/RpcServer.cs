using System.Collections.Concurrent;
using System.Net;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Rpc;
using Rpc25519.Transport;

namespace Rpc25519;

/// <summary>
/// Serves registered functions to any number of clients: one-way and two-way calls, remote cancellation, deadlines,
/// and server push to a connected client.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Every request runs in its own task on <see cref="RpcOptions.TaskScheduler"/>, so handlers run
/// concurrently and may finish out of order; a slow handler never stalls its connection's reader.</para>
/// <para>A client that breaks the wire protocol is disconnected with a logged reason; the others are unaffected.</para>
/// </remarks>
public sealed partial class RpcServer : IAsyncDisposable, IServerSessionOwner
{
    private readonly EndpointContext _endpoint;
    private readonly ServiceRegistry _registry = new();
    private readonly ConcurrentDictionary<string, ServerSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Handlers running now; with <see cref="_handlersIdle"/>, lets a stop wait for them.</summary>
    private int _runningHandlers;

    private TaskCompletionSource? _handlersIdle;
    private IConnectionListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _started;
    private int _disposed;

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Settings; copied and validated now (<see cref="RpcOptions.ListenAddress"/> is required).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public RpcServer(RpcOptions options)
    {
        _endpoint = new EndpointContext(ConfigValidator.ValidatedCopy(options, forServer: true), "Rpc25519.RpcServer");
        PeerApi = new PeerApi(_endpoint, () => LocalAddress,
            address => _sessions.TryGetValue(address, out ServerSession? session) ? session.Connection : null);
    }

    /// <summary>The Peer/Circuit/Fragment API of this server (the same as <see cref="RpcClient.PeerApi"/>).</summary>
    public PeerApi PeerApi { get; }

    /// <summary>Raised when a client connects; the argument carries its address (the key for push).</summary>
    /// <remarks>Raised on the accept loop: keep handlers short.</remarks>
    public event EventHandler<RpcConnectionEventArgs>? ClientConnected;

    /// <summary>Raised once when a client's connection has closed, with the reason.</summary>
    public event EventHandler<RpcConnectionEventArgs>? ClientDisconnected;

    /// <summary>The addresses (<c>tcp://ip:port</c>) of the clients connected now.</summary>
    public IReadOnlyCollection<string> Connections => [.. _sessions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The bound address (<c>tcp://ip:port</c>) once started, else empty.</summary>
    public string LocalAddress => _listener?.LocalAddress ?? "";

    /// <summary>Registers a one-way function (Go: <c>Register1Func</c>): called for each <see cref="CallType.OneWay"/>
    /// message to <paramref name="name"/>; no reply is sent. Replaces any earlier function of that name.</summary>
    /// <param name="name">The service name senders address.</param>
    /// <param name="handler">Runs once per message; the token fires when the connection closes or the server stops.
    /// An exception it throws is logged.</param>
    public void RegisterOneWay(string name, Func<Message, CancellationToken, ValueTask> handler) =>
        _registry.AddOneWay(name, handler);

    /// <summary>
    /// Registers a two-way function (Go: <c>Register2Func</c>): it returns the reply (payload,
    /// <see cref="MessageHeader.Args"/>, <see cref="MessageHeader.Subject"/>); the library sets the reply's routing
    /// fields, and an empty subject becomes the request's. It may return the request itself, changed, as an echo does.
    /// An exception it throws comes back to the caller as a <see cref="RemoteException"/> (the reply's
    /// <see cref="Message.Error"/>). The token fires on remote cancellation, at the request's
    /// <see cref="MessageHeader.Deadline"/>, when the client disconnects and when the server stops. Replaces any earlier
    /// function of that name.
    /// </summary>
    /// <param name="name">The service name callers address (<see cref="MessageHeader.ServiceName"/>).</param>
    /// <param name="handler">Takes the request and returns the reply.</param>
    public void RegisterCall(string name, Func<Message, CancellationToken, ValueTask<Message>> handler) =>
        _registry.AddTwoWay(name, handler);

    /// <summary>Binds <see cref="RpcOptions.ListenAddress"/> and starts accepting clients.</summary>
    /// <returns>The bound endpoint; with port 0 it carries the real port.</returns>
    /// <exception cref="RpcTransportException">The address cannot be bound.</exception>
    /// <exception cref="InvalidOperationException">The server was already started or disposed.</exception>
    public async Task<EndPoint> StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A server can be started only once; create a new RpcServer.");
        }
        ITransport transport = TransportSelector.For(_endpoint.Config);
        _listener = await transport.ListenAsync(_endpoint.Config.ListenAddress, cancellationToken);
        _acceptLoop = Task.Factory.StartNew(static s => ((RpcServer)s!).AcceptLoopAsync(), this,
            CancellationToken.None, TaskCreationOptions.DenyChildAttach, _endpoint.Config.TaskScheduler).Unwrap();
        return _listener.EndPoint;
    }

    /// <summary>
    /// Pushes a one-way message to a connected client; completes once it has been written to the connection.
    /// The client receives it on <see cref="RpcClient.Incoming"/>.
    /// </summary>
    /// <param name="remoteAddress">The client's address as in <see cref="Connections"/> and <see cref="MessageHeader.From"/>.</param>
    /// <param name="message">The message; its type defaults to <see cref="CallType.OneWay"/> and must be one-way.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still be sent).</param>
    /// <exception cref="RpcException">No client is connected from <paramref name="remoteAddress"/>.</exception>
    /// <exception cref="ArgumentException">The message has a two-way call type.</exception>
    public Task PushAsync(string remoteAddress, Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Header.CallType != CallType.None && message.Header.CallType.IsTwoWay())
        {
            throw new ArgumentException($"Server push needs a one-way call type (100 or more), not {message.Header.CallType}.",
                nameof(message));
        }
        if (!_sessions.TryGetValue(remoteAddress, out ServerSession? session))
        {
            throw new RpcException($"No client is connected from '{remoteAddress}'; see RpcServer.Connections for the " +
                "connected addresses.");
        }
        return session.Connection.SendOneWayAsync(message, cancellationToken);
    }

    /// <summary>Liveness counters of the connection from <paramref name="remoteAddress"/>, or null if none.</summary>
    public PingStats? GetPingStats(string remoteAddress) =>
        _sessions.TryGetValue(remoteAddress, out ServerSession? session) ? session.Connection.GetPingStats() : null;

    /// <summary>
    /// Stops the server: no new clients; running handlers are cancelled and get up to
    /// <see cref="RpcOptions.ShutdownGracePeriod"/> to finish (their replies are still sent); then every connection is
    /// closed, which fails the clients' waiting calls at once. Safe to call more than once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }
        await _acceptLoop;
        await PeerApi.StopAsync();
        await WaitForHandlersAsync();
        foreach (ServerSession session in SessionsInOrder())
        {
            await session.Connection.DisposeAsync();
        }
        _stopping.Dispose();
    }

    /// <summary>Takes clients until the server stops. A failed accept (out of memory or descriptors, a listener
    /// error) is logged and retried after a short, growing pause; only stopping ends the loop.</summary>
    private async Task AcceptLoopAsync()
    {
        IConnectionListener listener = _listener!;
        var backoff = new AcceptBackoff(_endpoint.TimeProvider);
        while (!_stopping.IsCancellationRequested)
        {
            IConnection? connection = null;
            try
            {
                connection = await listener.AcceptAsync(_stopping.Token);
                if (connection is null)
                {
                    return;
                }
                var session = new ServerSession(this, connection, _endpoint);
                _sessions[session.RemoteAddress] = session;
                session.Connection.Start();
                backoff.Reset();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                connection?.Abort(e);
                RpcLog.AcceptFailed(_endpoint.Logger, listener.LocalAddress, backoff.FailuresInARow + 1, e);
                if (!await backoff.WaitAsync(_stopping.Token))
                {
                    return;
                }
                continue;
            }
            Raise(ClientConnected, nameof(ClientConnected), new RpcConnectionEventArgs(connection.RemoteAddress, null));
        }
    }

    private async Task WaitForHandlersAsync()
    {
        var idle = new TaskCompletionSource(_endpoint.CompletionOptions);
        Volatile.Write(ref _handlersIdle, idle);
        foreach (ServerSession session in SessionsInOrder())
        {
            session.CancelAllHandlers();
        }
        if (Volatile.Read(ref _runningHandlers) == 0)
        {
            idle.TrySetResult();
        }
        try
        {
            await idle.Task.WaitAsync(_endpoint.Config.ShutdownGracePeriod, _endpoint.TimeProvider);
        }
        catch (TimeoutException)
        {
            // Handlers that ignore their token do not hold the stop up beyond the grace period.
        }
    }

    /// <summary>The open sessions, for tests that look inside a server.</summary>
    internal IReadOnlyCollection<ServerSession> SessionsForTests() => [.. _sessions.Values];

    /// <summary>The sessions in address order, so that stopping does the same thing in the same order every run.</summary>
    private ServerSession[] SessionsInOrder() =>
        [.. _sessions.Values.OrderBy(session => session.RemoteAddress, StringComparer.Ordinal)];

    private void OnSessionClosed(ServerSession session)
    {
        // Removes the entry only if it is still this session (the pair compares the value too).
        _sessions.TryRemove(new KeyValuePair<string, ServerSession>(session.RemoteAddress, session));
        PeerApi.OnConnectionClosed(session.Connection,
            session.Connection.CloseReason ?? new RpcConnectionClosedException("The connection closed."));
        Raise(ClientDisconnected, nameof(ClientDisconnected),
            new RpcConnectionEventArgs(session.RemoteAddress, session.Connection.CloseReason));
    }

    /// <summary>Raises an event; a subscriber that throws is logged and cannot break the accept or close path.</summary>
    private void Raise(EventHandler<RpcConnectionEventArgs>? handlers, string eventName, RpcConnectionEventArgs args)
    {
        try
        {
            handlers?.Invoke(this, args);
        }
        catch (Exception e)
        {
            RpcLog.EventHandlerFailed(_endpoint.Logger, eventName, args.RemoteAddress, e);
        }
    }
}
