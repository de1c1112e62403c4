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
            dropped => RpcLog.IncomingDropped(endpoint.Logger, dropped.Hdr.CallId));
        PeerApi = new PeerApi(endpoint, () => _connection.LocalAddress,
            address => PeerUrl.SamePort(address, _connection.RemoteAddress) ? _connection : null);
    }

    /// <summary>The Peer/Circuit/Fragment API of this client (the same as <see cref="RpcServer.PeerApi"/>); it reaches
    /// peers on the connected server only.</summary>
    public PeerApi PeerApi { get; }

    /// <summary>
    /// Messages not claimed by a waiting call: server pushes, and <see cref="CallType.CallError"/> answers to one-way
    /// sends. Bounded by <see cref="RpcConfig.IncomingQueueCapacity"/>; when full, the oldest is dropped (and logged).
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

    /// <summary>Connects to <see cref="RpcConfig.ClientDialToHostPort"/>.</summary>
    /// <param name="config">Settings; copied and validated now.</param>
    /// <param name="cancellationToken">Cancels the connect (which is also bounded by
    /// <see cref="RpcConfig.ConnectTimeout"/>).</param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="RpcTransportException">The server cannot be reached.</exception>
    /// <exception cref="RpcTimeoutException">The connect took longer than <see cref="RpcConfig.ConnectTimeout"/>.</exception>
    public static async Task<RpcClient> ConnectAsync(RpcConfig config, CancellationToken cancellationToken = default)
    {
        RpcConfig copy = ConfigValidator.ValidatedCopy(config, forServer: false);
        var client = new RpcClient(new EndpointContext(copy, "Rpc25519.RpcClient"));
        ITransport transport = TransportSelector.For(copy);
        using var timeout = copy.ConnectTimeout > TimeSpan.Zero
            ? new CancellationTokenSource(copy.ConnectTimeout, copy.TimeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        IConnection connection;
        try
        {
            connection = await transport.DialAsync(copy.ClientDialToHostPort, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested
                                                 && !cancellationToken.IsCancellationRequested)
        {
            throw new RpcTimeoutException($"Connecting to {copy.ClientDialToHostPort} took longer than " +
                $"RpcConfig.ConnectTimeout ({copy.ConnectTimeout.TotalSeconds:0.###} s).");
        }
        client._connection = new RpcConnection(connection, client._endpoint, client, copy.ClientSendKeepAlive);
        client._connection.Start();
        return client;
    }

    /// <summary>
    /// Sends a two-way request and waits for its reply. The reply comes back as it is: check
    /// <see cref="Message.JobErrs"/> (the handler's error) and <see cref="CallType.CallError"/> (e.g. no such
    /// function; the reason is in <see cref="Hdr.Subject"/>).
    /// </summary>
    /// <param name="request">The request; <see cref="Hdr.ServiceName"/> names the function. Its type defaults to
    /// <see cref="CallType.CallRpc"/>; Seqno, CallId (if empty), Serial and Created are set here.</param>
    /// <param name="cancellationToken">Cancelling it sends a cancellation to the server (the handler's token
    /// fires) and throws <see cref="OperationCanceledException"/> at once.</param>
    /// <returns>The reply. Await it once.</returns>
    /// <exception cref="RpcTimeoutException">No reply by <see cref="Hdr.Deadline"/>, or within
    /// <see cref="RpcConfig.DefaultCallTimeout"/> when there is no deadline.</exception>
    /// <exception cref="RpcConnectionClosedException">The connection closed before the reply came.</exception>
    public ValueTask<Message> SendAndGetReplyAsync(Message request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _connection.CallAsync(request, cancellationToken);
    }

    /// <summary>Sends a one-way message and completes once it has been written to the connection.</summary>
    /// <param name="message">The message; its type defaults to <see cref="CallType.CallOneWay"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the message may still be sent).</param>
    /// <exception cref="RpcConnectionClosedException">The connection is closed.</exception>
    public Task OneWaySendAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Hdr.Typ != CallType.CallNone && message.Hdr.Typ.IsTwoWay())
        {
            throw new ArgumentException($"A one-way send needs a one-way call type (100 or more), not " +
                $"{message.Hdr.Typ}; use SendAndGetReplyAsync for two-way calls.", nameof(message));
        }
        return _connection.SendOneWayAsync(message, cancellationToken);
    }

    /// <summary>Closes the connection after flushing what is queued; waiting calls fail. Local peers close first
    /// (their remotes are told), and their service functions get up to <see cref="RpcConfig.ShutdownGracePeriod"/> to
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
        if (message.Hdr.Typ == CallType.CallRpcReply)
        {
            RpcLog.UnclaimedReply(_endpoint.Logger, connection.RemoteAddress, message.Hdr.CallId, message.Hdr.Seqno);
            return;
        }
        if (message.Hdr.Typ is >= CallType.CallPeerStart and <= CallType.CallPeerTrafficWithServiceFallback)
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
