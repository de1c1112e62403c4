using Microsoft.Extensions.Logging;
using Rpc25519.Compression;
using Rpc25519.Messages;
using Rpc25519.Transport;

namespace Rpc25519.Rpc;

/// <summary>
/// The session over one transport connection: a reader loop and a writer loop, the table of calls waiting for
/// replies, keep-alives, and one close path whose first reason wins. Shared by client and server.
/// </summary>
/// <remarks>
/// Thread-safe. Both loops are started on <see cref="RpcOptions.TaskScheduler"/> by <see cref="Start"/> and awaited
/// by <see cref="DisposeAsync"/>. Split by role: <c>.Reader.cs</c>, <c>.Writer.cs</c>, <c>.KeepAlive.cs</c>.
/// </remarks>
internal sealed partial class RpcConnection : IAsyncDisposable
{
    /// <summary>How long a graceful close waits for queued frames to flush before aborting the transport.</summary>
    private static readonly TimeSpan GracefulFlushWait = TimeSpan.FromSeconds(2);

    private readonly IConnection _connection;
    private readonly EndpointContext _endpoint;
    private readonly IRpcConnectionOwner _owner;
    private readonly ILogger _logger;
    private readonly SendQueue _sendQueue;

    /// <summary>Last send and receive times, keep-alive counts and the keep-alive / dead-connection timer.</summary>
    private readonly LivenessMonitor _liveness;

    /// <summary>Bytes held (requests in handlers, frames not yet written), and the reader's hold when there are too
    /// many.</summary>
    private readonly BufferedBytesGate _buffered;

    /// <summary>The shared budget large incoming messages take their size from (<see cref="RpcOptions.DecodeBudget"/>),
    /// or null when this connection does not use one (a client's replies belong to calls it made itself).</summary>
    private readonly MemoryBudget? _budget;

    /// <summary>Whether this is a server's connection (see the constructor).</summary>
    private readonly bool _serverSide;

    /// <summary>Budget the reader holds for the frame at the front of its buffer, not yet decoded; 0 for none.</summary>
    private long _budgetTaken;

    /// <summary>Budget the reader must wait for before it reads on; 0 for none.</summary>
    private long _budgetWanted;

    /// <summary>The compression this side sends with, and what arrived.</summary>
    private readonly CompressionChoice _compression;

    /// <summary>Writes each outgoing message as a frame (used by the one running drain).</summary>
    private readonly FrameEncoder _encoder;
    private readonly CancellationTokenSource _closing = new();

    /// <summary>The reader loop's decoder memory (repeated strings are not allocated again).</summary>
    private readonly DecodeContext _decodeContext;

    /// <summary>Guards <see cref="_closeReason"/>.</summary>
    private readonly Lock _closeLock = new();

    /// <summary>Why the connection closed; the first reason wins. Null while open.</summary>
    private Exception? _closeReason;

    private Task _readerLoop = Task.CompletedTask;

    /// <summary>The random part of the IDs of the calls made on this connection (see <see cref="CallIds"/>), drawn at
    /// the first call (a connection that makes none draws nothing from the seeded source).</summary>
    private CallIds.Prefix? _callIdPrefix;

    /// <summary>Last sequence number handed out on this connection (the first call gets 2, as in the original).</summary>
    private long _lastSeqno = 1;

    /// <param name="connection">The transport connection; owned from now on.</param>
    /// <param name="endpoint">What the client or server's connections share.</param>
    /// <param name="owner">Who hears about arriving messages and the close.</param>
    /// <param name="keepAliveInterval">Send a keep-alive after this long without sending; zero for never.</param>
    /// <param name="pauseReadingAboveBufferedBytes">Stop reading while this connection holds more than this many bytes
    /// (a server's requests in handlers and replies to a client that does not read them); zero for never.</param>
    /// <param name="serverSide">Whether this is a server's connection to a client: its large incoming requests take
    /// their size from <see cref="RpcOptions.DecodeBudget"/>, and its metrics are tagged as the server's.</param>
    public RpcConnection(IConnection connection, EndpointContext endpoint, IRpcConnectionOwner owner,
        TimeSpan keepAliveInterval, long pauseReadingAboveBufferedBytes = 0, bool serverSide = false)
    {
        _buffered = new BufferedBytesGate(pauseReadingAboveBufferedBytes, endpoint.CompletionOptions);
        _connection = connection;
        _endpoint = endpoint;
        _owner = owner;
        _logger = endpoint.Logger;
        _liveness = NewLivenessMonitor(keepAliveInterval);
        _compression = new CompressionChoice(endpoint.Config.Compression);
        _budget = serverSide ? endpoint.Config.DecodeBudget : null;
        _serverSide = serverSide;
        _encoder = new FrameEncoder(_compression, endpoint.Config.MaxFrameBytes);
        LocalAddress = connection.LocalAddress;
        RemoteAddress = connection.RemoteAddress;
        _sendQueue = new SendQueue(endpoint.Config.SendQueueCapacity, endpoint.CompletionOptions);
        Calls = new CallTable(endpoint.TimeProvider, endpoint.Config.DefaultCallTimeout, SendCancelFor,
            endpoint.AsyncContinuations);
        _decodeContext = new DecodeContext(Calls.TryGetCallId, RemoteAddress, LocalAddress);
    }

    public string LocalAddress { get; }

    public string RemoteAddress { get; }

    /// <summary>Options for completion sources of this connection's layers (<see cref="EndpointContext.CompletionOptions"/>).</summary>
    public TaskCreationOptions CompletionOptions => _endpoint.CompletionOptions;

    /// <summary>Whether this side answers in the compression the peer last used (the server side does).</summary>
    public bool MirrorPeerCompression
    {
        get => _compression.MirrorPeer;
        set => _compression.MirrorPeer = value;
    }

    /// <summary>The compression this connection currently sends with.</summary>
    public CompressionAlgo SendCompression => _compression.Current;

    /// <summary>Changes the compression this side sends with from the next frame on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a sendable algorithm.</exception>
    public void SetSendCompression(CompressionAlgo algo) => _compression.Set(algo);

    /// <summary>Frames received so far that used <paramref name="algo"/> (diagnostics and tests).</summary>
    public long FramesReceived(CompressionAlgo algo) => _compression.FramesReceived(algo);

    /// <summary>Senders waiting for room in the full send queue (for tests).</summary>
    internal int WaitingSenders => _sendQueue.WaitingSenders;

    /// <summary>Whether the reader waits for room in the memory budget (for tests).</summary>
    internal bool IsWaitingForBudget => Volatile.Read(ref _budgetWanted) > 0;

    /// <summary>Bytes this connection holds: requests in handlers and frames not yet written (payloads plus a
    /// per-message allowance).</summary>
    public long BufferedBytes => _buffered.Held;

    /// <summary>A request's bytes (and its share of the memory budget) are held until its handler finishes: pass what
    /// this returns to <see cref="ReleaseHandled"/> then (the handler may change the request meanwhile).</summary>
    public HeldRequest HoldForHandler(Message request)
    {
        long cost = BufferedBytesGate.CostOf(request);
        _buffered.Add(cost);
        long budgetBytes = 0;
        if (ReferenceEquals(_deliveringBudget.Message, request))
        {
            budgetBytes = _deliveringBudget.Bytes;
            _deliveringBudget = default;
        }
        return new HeldRequest(cost, budgetBytes);
    }

    /// <summary>The share of the <see cref="MemoryBudget"/> held by the large message the reader loop is delivering
    /// right now (touched by the reader loop only: a handler takes it over in <see cref="HoldForHandler"/>, which runs
    /// on the loop while the message is dispatched; otherwise it is given back once delivery returns). Kept here, not
    /// in the message, so that every message is a field smaller.</summary>
    private DeliveringBudget _deliveringBudget;

    /// <param name="Message">The message being delivered.</param>
    /// <param name="Bytes">Bytes of the budget it holds.</param>
    private readonly record struct DeliveringBudget(Message? Message, long Bytes);

    /// <summary>The handler of a request held with <see cref="HoldForHandler"/> has finished.</summary>
    public void ReleaseHandled(in HeldRequest held)
    {
        _buffered.Remove(held.BufferedBytes);
        if (held.BudgetBytes > 0)
        {
            _budget!.Give(held.BudgetBytes);
        }
    }

    /// <summary>What a request in a handler holds (see <see cref="HoldForHandler"/>).</summary>
    /// <param name="BufferedBytes">Counted against <see cref="RpcOptions.MaxBufferedBytesPerConnection"/>.</param>
    /// <param name="BudgetBytes">Taken from the <see cref="MemoryBudget"/>.</param>
    public readonly record struct HeldRequest(long BufferedBytes, long BudgetBytes);

    /// <summary>Calls made on this connection that wait for their reply.</summary>
    public CallTable Calls { get; }

    /// <summary>Fires when the connection starts closing.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Why the connection closed, or null while it is open.</summary>
    public Exception? CloseReason
    {
        get
        {
            lock (_closeLock)
            {
                return _closeReason;
            }
        }
    }

    /// <summary>Completes when both loops have ended.</summary>
    public Task Completion => Task.WhenAll(_readerLoop, _writerLoop);

    /// <summary>Starts the reader and writer loops (and the keep-alive timer, if configured).</summary>
    public void Start()
    {
        Diagnostics.RpcMetrics.Connection(+1, _serverSide);
        if (_endpoint.AsyncContinuations && !ExecutionContext.IsFlowSuppressed())
        {
            // The loop runs work it stages on its own thread (see TryStage): it starts with a clean execution context,
            // as work queued to the pool would, instead of whatever the code that opened the connection had flowing.
            using (ExecutionContext.SuppressFlow())
            {
                _readerLoop = StartReadLoop();
            }
        }
        else
        {
            _readerLoop = StartReadLoop();
        }
        _liveness.Start();
        RpcLog.ConnectionOpened(_logger, RemoteAddress, LocalAddress);
    }

    private CallIds.Prefix FirstCallIdPrefix()
    {
        Interlocked.CompareExchange(ref _callIdPrefix, _endpoint.NewCallIdPrefix(), null);
        return _callIdPrefix;
    }

    private Task StartReadLoop() => Task.Factory.StartNew(static s => ((RpcConnection)s!).ReadLoopAsync(), this,
        CancellationToken.None, TaskCreationOptions.DenyChildAttach, _endpoint.Config.TaskScheduler).Unwrap();

    /// <summary>Sends a two-way request and returns its reply, whatever it reports (timeouts, cancellation and a closed
    /// connection fail the task). Sets CallType, SequenceNumber and CallId.</summary>
    public ValueTask<Message> CallAsync(Message request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<Message>(cancellationToken);
        }
        PendingCall call = StartCall(request, cancellationToken, replyErrorsThrow: false, out ValueTask queued,
            out Task<Message> task);
        return queued.IsCompletedSuccessfully ? new ValueTask<Message>(task)
            : new ValueTask<Message>(QueueThenAwaitAsync(queued, call, task));
    }

    /// <summary>Like <see cref="CallAsync"/>, but a reply that reports an error fails the task with the exception it
    /// stands for (<see cref="ReplyErrors"/>): the task of <see cref="RpcClient.CallAsync"/>, with no async method
    /// around it (the call's completion source is the one allocation beyond its task).</summary>
    public Task<Message> CallReplyOrThrowAsync(Message request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<Message>(cancellationToken);
        }
        PendingCall call = StartCall(request, cancellationToken, replyErrorsThrow: true, out ValueTask queued,
            out Task<Message> task);
        return queued.IsCompletedSuccessfully ? task : QueueThenAwaitAsync(queued, call, task);
    }

    /// <summary>Registers a two-way call and queues its request (<paramref name="queued"/> completes once it is in
    /// the send queue; until then the call is held for the caller by <see cref="PendingCall.Holders.Send"/>).
    /// </summary>
    /// <param name="request">The request; its call type, sequence number and call ID are set here.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <param name="replyErrorsThrow">See <see cref="CallTable.Register"/>.</param>
    /// <param name="queued">Completes once the request is in the send queue.</param>
    /// <param name="task">The call's task, read before the request is queued: once it is, the call may complete and
    /// be reused at any moment.</param>
    private PendingCall StartCall(Message request, CancellationToken cancellationToken, bool replyErrorsThrow,
        out ValueTask queued, out Task<Message> task)
    {
        MessageHeader hdr = request.Header;
        if (hdr.CallType == CallType.None)
        {
            hdr.CallType = CallType.Call;
        }
        if (!hdr.CallType.IsTwoWay())
        {
            throw new ArgumentException($"A call needs a two-way call type (below 100), not {hdr.CallType}; " +
                "use a one-way send for this message.", nameof(request));
        }
        hdr.SequenceNumber = (ulong)Interlocked.Increment(ref _lastSeqno);
        if (!hdr.HasCallId)
        {
            // The call's ID is this connection's prefix and its sequence number: nothing to allocate.
            hdr.CallIdKey = Volatile.Read(ref _callIdPrefix) ?? FirstCallIdPrefix();
        }
        _endpoint.StampOutgoing(request);
        PendingCall call = Calls.Register(request, cancellationToken, replyErrorsThrow, out bool alone);
        task = call.Task;
        try
        {
            // A lone call writes at once on this thread; with others in flight, its frame joins a shared flush.
            queued = EnqueueAsync(new OutgoingFrame(request, call), inline: alone, cancellationToken);
        }
        catch (Exception e)
        {
            // The frame never entered the queue: nobody else will tell the call about it.
            Calls.Fail(call, e);
            call.Release(PendingCall.Holders.Send);
            throw;
        }
        return call;
    }

    /// <summary>
    /// Sends a one-way message and completes once it has been written to the transport. Sets CallId if empty and CallType
    /// (if unset) to <see cref="CallType.OneWay"/>.
    /// </summary>
    public async Task SendOneWayAsync(Message message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (message.Header.CallType == CallType.None)
        {
            message.Header.CallType = CallType.OneWay;
        }
        _endpoint.StampOutgoing(message);
        var signal = new SendSignal(_endpoint.CompletionOptions);
        await EnqueueAsync(new OutgoingFrame(message, signal), inline: true, cancellationToken);
        await signal.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Queues a frame without waiting for it to be written (used for replies).</summary>
    /// <param name="message">The frame's message; stamped here.</param>
    /// <param name="moreComing">Whether the caller knows that more frames follow soon (then they share a flush).</param>
    /// <param name="cancellationToken">Stops waiting for room in a full queue.</param>
    public ValueTask EnqueueAsync(Message message, bool moreComing, CancellationToken cancellationToken)
    {
        _endpoint.StampOutgoing(message);
        return EnqueueAsync(new OutgoingFrame(message, null), inline: !moreComing, cancellationToken);
    }

    /// <summary>Queues a one-way frame without waiting for it to be written; <paramref name="completion"/> hears
    /// whether it went out (used by the peer layer, which must learn of every fragment that could not be sent).</summary>
    public ValueTask EnqueueAsync(Message message, ISendCompletion completion, CancellationToken cancellationToken)
    {
        _endpoint.StampOutgoing(message);
        return EnqueueAsync(new OutgoingFrame(message, completion), inline: true, cancellationToken);
    }

    /// <summary>
    /// Starts closing: waiting calls fail, the send queue stops taking frames. A graceful close lets queued frames
    /// flush first; otherwise the transport is aborted at once. The first reason wins; later calls do nothing.
    /// </summary>
    public void Close(Exception reason, bool graceful)
    {
        lock (_closeLock)
        {
            if (_closeReason is not null)
            {
                return;
            }
            _closeReason = reason;
        }
        RpcLog.ConnectionClosing(_logger, RemoteAddress, reason.Message);
        if (_sendQueue.Complete(new RpcConnectionClosedException(
                $"The connection to {RemoteAddress} is closing ({reason.Message}).", reason)))
        {
            // No drain is running: start one to flush what is queued (graceful) and complete the output.
            StartDrain(inline: false);
        }
        Calls.Close(reason);
        _liveness.Stop();
        if (!graceful)
        {
            _connection.Abort(reason);
        }
        _closing.Cancel();
        Diagnostics.RpcMetrics.Connection(-1, _serverSide);
        _owner.OnConnectionClosed(this, reason);
    }

    public async ValueTask DisposeAsync()
    {
        Close(new RpcConnectionClosedException("The connection was closed locally."), graceful: true);
        try
        {
            await _writerLoop.WaitAsync(GracefulFlushWait, _endpoint.TimeProvider);
        }
        catch (TimeoutException)
        {
            RpcLog.FlushOnCloseTimedOut(_logger, RemoteAddress);
        }
        _connection.Abort(CloseReason);
        await Completion;
        await _connection.DisposeAsync();
        Calls.Dispose();
        // _closing is not disposed: a concurrent Close (the liveness timer's DeclareDead) may still be about to cancel
        // it after this method returned early from its own Close, and a source without a timer holds nothing to free.
    }

    /// <param name="queued">Completes once the request is in the send queue; fails if it never got in.</param>
    /// <param name="call">Held for this method by <see cref="PendingCall.Holders.Send"/> until the frame is queued;
    /// not touched after that.</param>
    /// <param name="task">The call's task.</param>
    private static async Task<Message> QueueThenAwaitAsync(ValueTask queued, PendingCall call, Task<Message> task)
    {
        try
        {
            await queued;
        }
        catch (Exception e)
        {
            call.Table.Fail(call, e);
            call.Release(PendingCall.Holders.Send);
        }
        return await task;
    }

    private void SendCancelFor(PendingCall call)
    {
        var cancel = new Message(new MessageHeader
        {
            CallType = WireCallType.CancelPrevious,
            CallIdKey = call.Request.Header.CallIdKey,
            SequenceNumber = call.SequenceNumber,
            ServiceName = call.Request.Header.ServiceName,
        });
        _endpoint.StampOutgoing(cancel);
        // Best effort: if the queue is full or closed, the server learns nothing, which is what it would learn from
        // a lost connection too; its handler still ends at its own deadline or when the connection closes.
        TrySendBestEffort(cancel);
    }

    /// <summary>Queues a frame if there is room right now; otherwise (queue full or closed) the frame is not sent.</summary>
    private void TrySendBestEffort(Message message)
    {
        long cost = BufferedBytesGate.CostOf(message);
        _buffered.Add(cost);
        switch (_sendQueue.TryRoomNow(new OutgoingFrame(message, null)))
        {
            case true:
                StartDrain(inline: false);
                break;
            case null:
                _buffered.Remove(cost);
                break;
        }
    }
}
