using System.Threading.Channels;
using Rpc25519.Messages;
using Rpc25519.Peers;
using Rpc25519.Rpc;
using Rpc25519.Transport;

namespace Rpc25519;

/// <summary>
/// One connection to an <see cref="RpcServer"/>: two-way calls, one-way sends, and the messages the server pushes.
/// </summary>
/// <remarks>
/// <para>Thread-safe: any number of calls may share one client; each reply finds its caller.</para>
/// <para>There is no automatic reconnect. When the connection drops, every waiting call fails at once with
/// <see cref="RpcConnectionClosedException"/> and later calls fail the same way; connect a new client to go on.</para>
/// </remarks>
public sealed partial class RpcClient : IAsyncDisposable, IRpcConnectionOwner
{
    private readonly EndpointContext _endpoint;
    private readonly Channel<Message> _incoming;
    private RpcConnection _connection = null!;

    /// <summary>The client's connection, for tests that look inside it.</summary>
    internal RpcConnection ConnectionForTests => _connection;
    private int _disposed;

    private RpcClient(EndpointContext endpoint)
    {
        _endpoint = endpoint;
        _incoming = Channel.CreateBounded<Message>(
            new BoundedChannelOptions(endpoint.Config.IncomingQueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = false,
                SingleWriter = true,
            },
            dropped => RpcLog.IncomingDropped(endpoint.Logger, dropped.Header.CallId));
        PeerApi = new PeerApi(endpoint, () => _connection.LocalAddress,
            address => PeerUrl.SamePort(address, _connection.RemoteAddress) ? _connection : null);
    }

    /// <summary>The Peer/Circuit/Fragment API of this client (the same as <see cref="RpcServer.PeerApi"/>); it reaches
    /// peers on the connected server only.</summary>
    public PeerApi PeerApi { get; }

    /// <summary>
    /// Messages not claimed by a waiting call: server pushes, and <see cref="CallType.Error"/> answers to one-way
    /// sends. Bounded by <see cref="RpcOptions.IncomingQueueCapacity"/>; when full, the oldest is dropped (and logged).
    /// Completes when the connection closes.
    /// </summary>
    public ChannelReader<Message> Incoming => _incoming.Reader;

    /// <summary>This side's address, <c>tcp://ip:port</c>.</summary>
    public string LocalAddress => _connection.LocalAddress;

    /// <summary>The server's address, <c>tcp://ip:port</c>.</summary>
    public string RemoteAddress => _connection.RemoteAddress;

    /// <summary>Whether the connection is still open.</summary>
    public bool IsConnected => _connection.CloseReason is null;

    /// <summary>Why the connection closed, or null while it is open.</summary>
    public Exception? CloseReason => _connection.CloseReason;

    /// <summary>Fires when the connection closes.</summary>
    public CancellationToken Disconnected => _connection.Closing;

    /// <summary>Liveness counters of the connection.</summary>
    public PingStats PingStats => _connection.GetPingStats();

    /// <summary>Connects to <see cref="RpcOptions.ServerAddress"/>.</summary>
    /// <param name="options">Settings; copied and validated now.</param>
    /// <param name="cancellationToken">Cancels the connect (which is also bounded by
    /// <see cref="RpcOptions.ConnectTimeout"/>).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="RpcTransportException">The server cannot be reached.</exception>
    /// <exception cref="RpcTimeoutException">The connect took longer than <see cref="RpcOptions.ConnectTimeout"/>.</exception>
    public static async Task<RpcClient> ConnectAsync(RpcOptions options, CancellationToken cancellationToken = default)
    {
        RpcOptions copy = ConfigValidator.ValidatedCopy(options, forServer: false);
        var client = new RpcClient(new EndpointContext(copy, "Rpc25519.RpcClient"));
        ITransport transport = TransportSelector.For(copy);
        using var timeout = copy.ConnectTimeout > TimeSpan.Zero
            ? new CancellationTokenSource(copy.ConnectTimeout, copy.TimeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        IConnection connection;
        try
        {
            connection = await transport.DialAsync(copy.ServerAddress, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested
                                                 && !cancellationToken.IsCancellationRequested)
        {
            throw new RpcTimeoutException($"Connecting to {copy.ServerAddress} took longer than " +
                $"RpcOptions.ConnectTimeout ({copy.ConnectTimeout.TotalSeconds:0.###} s).");
        }
        client._connection = new RpcConnection(connection, client._endpoint, client, copy.ClientKeepAliveInterval);
        client._connection.Start();
        return client;
    }

    /// <summary>
    /// Sends a two-way request and waits for its reply (Go: <c>SendAndGetReply</c>).
    /// </summary>
    /// <param name="request">The request; <see cref="MessageHeader.ServiceName"/> names the function. Its type defaults to
    /// <see cref="CallType.Call"/>; the sequence number and serial are set here, and the call ID and creation time when
    /// they are empty (a message reused for another call keeps them; clear <see cref="MessageHeader.CallId"/> first).
    /// The library owns the message until the call completes.</param>
    /// <param name="cancellationToken">Cancelling it sends a cancellation to the server (the handler's token
    /// fires) and throws <see cref="OperationCanceledException"/> at once.</param>
    /// <returns>The reply of a handler that succeeded.</returns>
    /// <exception cref="RemoteException">The handler threw; the exception carries its error text and the reply.</exception>
    /// <exception cref="CallRejectedException">The server ran no handler (e.g. no function of that name); the
    /// message is its reason.</exception>
    /// <exception cref="RpcTimeoutException">No reply by <see cref="MessageHeader.Deadline"/>, or within
    /// <see cref="RpcOptions.DefaultCallTimeout"/> when there is no deadline.</exception>
    /// <exception cref="RpcConnectionClosedException">The connection closed before the reply came.</exception>
    public Task<Message> CallAsync(Message request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Diagnostics.RpcMetrics.ObserveClientCalls
            ? CallObservedAsync(request, static reply => reply, cancellationToken)
            : _connection.CallReplyOrThrowAsync(request, cancellationToken);
    }

    /// <summary>A call timed for the metrics and traced, for when someone listens (Message and typed calls alike);
    /// <paramref name="readReply"/> turns a successful reply into the result inside the observed span, so a reply that
    /// cannot be read counts as a failed call.</summary>
    private async Task<TResult> CallObservedAsync<TResult>(Message request, Func<Message, TResult> readReply,
        CancellationToken cancellationToken)
    {
        Diagnostics.CallMeasurement measured = Diagnostics.RpcMetrics.StartCall(server: false,
            request.Header.ServiceName, _endpoint.TimeProvider);
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartCall(request);
        Exception? failure = null;
        try
        {
            Message reply = await _connection.CallAsync(request, cancellationToken);
            failure = ReplyErrors.ToException(reply);
            return failure is null ? readReply(reply) : throw failure;
        }
        catch (Exception e) when (failure is null)
        {
            failure = e;
            throw;
        }
        finally
        {
            string outcome = Diagnostics.RpcMetrics.OutcomeOf(failure);
            Diagnostics.RpcMetrics.EndCall(measured, _endpoint.TimeProvider, request.Header.ServiceName, outcome);
            Diagnostics.RpcTracing.Stop(span, outcome);
        }
    }

    /// <summary>Sends a one-way message and completes once it has been written to the connection.</summary>
    /// <param name="message">The message; its type defaults to <see cref="CallType.OneWay"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still be sent).</param>
    /// <exception cref="RpcConnectionClosedException">The connection is closed.</exception>
    public Task SendAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Header.CallType != CallType.None && message.Header.CallType.IsTwoWay())
        {
            throw new ArgumentException($"A one-way send needs a one-way call type (100 or more), not " +
                $"{message.Header.CallType}; use CallAsync for two-way calls.", nameof(message));
        }
        return Diagnostics.RpcTracing.IsListening
            ? SendTracedAsync(message, cancellationToken)
            : _connection.SendOneWayAsync(message, cancellationToken);
    }

    /// <summary>A one-way send inside a producer span (an async method of its own, so that the span does not stay
    /// <see cref="System.Diagnostics.Activity.Current"/> in the caller's flow).</summary>
    private async Task SendTracedAsync(Message message, CancellationToken cancellationToken)
    {
        System.Diagnostics.Activity? span = Diagnostics.RpcTracing.StartSend(message);
        await Diagnostics.RpcTracing.Traced(span,
            new ValueTask(_connection.SendOneWayAsync(message, cancellationToken)));
    }

    /// <summary>Closes the connection after flushing what is queued; waiting calls fail. Local peers close first
    /// (their remotes are told), and their service functions get up to <see cref="RpcOptions.ShutdownGracePeriod"/> to
    /// return. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await PeerApi.StopAsync();
        await _connection.DisposeAsync();
    }

    void IRpcConnectionOwner.OnMessageReceived(RpcConnection connection, Message message)
    {
        if (message.Header.CallType == CallType.Reply)
        {
            RpcLog.UnclaimedReply(_endpoint.Logger, connection.RemoteAddress, message.Header.CallId, message.Header.SequenceNumber);
            return;
        }
        if (message.Header.CallType is >= WireCallType.PeerStart and <= CallType.PeerTrafficWithServiceFallback)
        {
            PeerApi.OnMessage(connection, message);
            return;
        }
        _incoming.Writer.TryWrite(message);
    }

    void IRpcConnectionOwner.OnConnectionClosed(RpcConnection connection, Exception reason)
    {
        _incoming.Writer.TryComplete();
        PeerApi.OnConnectionClosed(connection, reason);
    }
}
