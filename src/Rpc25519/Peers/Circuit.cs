using System.Diagnostics;
using System.Threading.Channels;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Peers;

/// <summary>
/// A persistent, two-way, asynchronous stream of <see cref="Fragment"/>s between a <see cref="LocalPeer"/> and one
/// remote peer, riding one connection. Any number of circuits may join the same two peers.
/// </summary>
/// <remarks>
/// <para>Thread-safe: any thread may send, read or close.</para>
/// <para><b>Back-pressure (per circuit, credit-based).</b> Each side has a receive window of
/// <see cref="PeerOptions.CircuitWindow"/> credit units, announced when the circuit opens. A fragment costs one unit
/// plus one per 4 KiB of payload (at most the whole window); a sender without enough credit waits in
/// <see cref="SendAsync"/>, in order. The receiver returns credit in a small control message each time its reader
/// has taken a quarter window's worth from <see cref="Reads"/> or <see cref="Errors"/>. So at most a window waits in a
/// circuit (many small fragments, or a few megabytes of large ones), the connection's reader loop never blocks (its
/// write into the circuit always
/// finds room), a slow reader stalls only its own circuit's sender, and nothing is ever dropped. A remote that sends
/// beyond its credit breaks the protocol: its circuit is closed with that reason (logged), not the connection.</para>
/// <para><b>Close.</b> The first reason wins. Closing completes <see cref="Reads"/> and <see cref="Errors"/> (what is
/// already in them can still be read), fires <see cref="Closed"/>, fails waiting sends, and, for a local close, tells
/// the
/// remote, whose circuit then closes with "closed by remote".</para>
/// </remarks>
public sealed class Circuit : IAsyncDisposable
{
    private readonly PeerApi _api;
    private readonly Channel<Fragment> _reads;
    private readonly Channel<Fragment> _errors;
    private readonly CancellationTokenSource _closed = new();

    /// <summary>Credit this side may still spend on sending; topped up by the remote's grants.</summary>
    private readonly SendCredit _sendCredit = new();

    /// <summary>How many sends on this circuit wait for the remote's credit now.</summary>
    internal int SendsWaitingForCredit => _sendCredit.WaitingCount;

    /// <summary>Credit units of the fragments the reader took since credit was last returned.</summary>
    private int _takenSinceGrant;

    /// <summary>Credit units of the fragments delivered here and not yet taken by the reader; never above the window
    /// while the remote keeps to its credit.</summary>
    private int _queuedUnits;

    /// <summary>The remote's receive window in credit units (0 until announced); caps a fragment's cost.</summary>
    private int _remoteWindow;

    private readonly int _grantThreshold;

    /// <summary>This side's receive window, in credit units.</summary>
    private readonly int _window;

    /// <summary>Guards <see cref="_closeReason"/>.</summary>
    private readonly Lock _lock = new();

    private CircuitClosedException? _closeReason;

    /// <summary>The circuit's trace span, from open to close; null when nobody listens to the trace source. Set before
    /// the circuit is registered, so <see cref="Close"/> always sees it.</summary>
    internal System.Diagnostics.Activity? Span { get; set; }

    internal Circuit(PeerApi api, LocalPeer localPeer, RpcConnection connection, string circuitId, string name,
        string remotePeerId, string remotePeerName, string remoteServiceName)
    {
        _api = api;
        LocalPeer = localPeer;
        Connection = connection;
        CircuitId = circuitId;
        Name = name;
        RemotePeerId = remotePeerId;
        RemotePeerName = remotePeerName;
        RemoteServiceName = remoteServiceName;
        int window = api.Window;
        _window = window;
        // A quarter window: the sender rarely runs dry while a grant is on its way back, at one small control frame
        // per quarter window of fragments.
        _grantThreshold = Math.Max(1, window / 4);
        var options = new BoundedChannelOptions(window)
        {
            // Never reached by a well-behaved remote (it holds at most a window of credit); if it is, the circuit
            // closes as a protocol violation (Deliver) rather than waiting or dropping.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        };
        _reads = Channel.CreateBounded<Fragment>(options);
        _errors = Channel.CreateBounded<Fragment>(options);
        Reads = new CountingReader(_reads.Reader, this);
        SendWatch = new CircuitSendWatch(this);
        Errors = new CountingReader(_errors.Reader, this);
    }

    /// <summary>The circuit's ID, the same on both sides.</summary>
    public string CircuitId { get; }

    /// <summary>A label given by the opener (delivery never depends on it).</summary>
    public string Name { get; }

    /// <summary>The local end.</summary>
    public LocalPeer LocalPeer { get; }

    /// <summary>The remote peer's ID.</summary>
    public string RemotePeerId { get; private set; }

    /// <summary>The remote peer's name, once known.</summary>
    public string RemotePeerName { get; private set; }

    /// <summary>The remote peer's service name.</summary>
    public string RemoteServiceName { get; }

    /// <summary>The remote's network address as this side's connection sees it, <c>tcp://host:port</c>.</summary>
    public string RemoteAddress => Connection.RemoteAddress;

    /// <summary>The remote peer's URL, <c>tcp://host:port/service/peerId</c>.</summary>
    public string RemotePeerUrl => PeerUrl.Format(Connection.RemoteAddress, RemoteServiceName, RemotePeerId);

    /// <summary>This circuit's URL at the local end (the local peer's URL plus the circuit ID).</summary>
    public string LocalCircuitUrl => LocalPeer.Url + "/" + CircuitId;

    /// <summary>Fragments from the remote, in send order; completes when the circuit closes (after what is in it).
    /// Bounded by the window; taking from it returns credit to the sender.</summary>
    public ChannelReader<Fragment> Reads { get; }

    /// <summary>Fragments the remote sent with <see cref="Fragment.Error"/> set; otherwise like <see cref="Reads"/>.
    /// Its order relative to <see cref="Reads"/> is not kept.</summary>
    public ChannelReader<Fragment> Errors { get; }

    /// <summary>Fires when the circuit closes, for whatever reason (see <see cref="CloseReason"/>). Callbacks
    /// registered
    /// on it may run on the connection's reader loop (when the remote or the connection closed the circuit): keep them
    /// short. Passing the token to an await (<c>ReadAllAsync</c>, <c>WaitAsync</c>) is fine.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Whether the circuit is closed.</summary>
    public bool IsClosed => CloseReason is not null;

    /// <summary>Why the circuit closed ("closed locally", "closed by remote…", "peer … shut down",
    /// "connection lost: …"), or null while open.</summary>
    public CircuitClosedException? CloseReason
    {
        get
        {
            lock (_lock)
            {
                return _closeReason;
            }
        }
    }

    internal RpcConnection Connection { get; }

    /// <summary>On the opener's side: the payload size of the first fragment the open carried, or -1 for
    /// none.</summary>
    internal int FirstPayloadBytes { get; set; } = -1;

    /// <summary>Told by the connection's writer what became of each fragment.</summary>
    internal CircuitSendWatch SendWatch { get; }

    /// <summary>
    /// Sends <paramref name="fragment"/> to the remote. Completes once the fragment is queued on the connection; waits
    /// first while this circuit has no send credit (the remote's reader is behind), never drops. Fills in the peer,
    /// circuit and type fields (<see cref="CallType.PeerError"/> when <see cref="Fragment.Error"/> is set).
    /// </summary>
    /// <param name="fragment">Owned by the library from now on, with its payload.</param>
    /// <param name="cancellationToken">Stops waiting for credit or queue room; the fragment is then not sent.</param>
    /// <exception cref="CircuitClosedException">The circuit is or becomes closed; the message gives the
    /// reason.</exception>
    /// <exception cref="ArgumentException">A reserved or empty arg key, or a fragment larger than
    /// <see cref="RpcOptions.MaxFrameBytes"/>.</exception>
    public Task SendAsync(Fragment fragment, CancellationToken cancellationToken = default) =>
        SendCoreAsync(fragment, cancellationToken).AsTask();

    private ValueTask SendCoreAsync(Fragment fragment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        ThrowIfClosed();
        CallType typ = fragment.Error.Length > 0 ? CallType.PeerError : CallType.PeerTraffic;
        Message message = PeerWire.ToMessage(fragment, this, typ);
        _api.CheckSize(message);
        int cost = SendCredit.CostOf(message.Payload.Length, Volatile.Read(ref _remoteWindow));
        return _sendCredit.TryTake(cost) ? EnqueueAsync(message, cost, cancellationToken)
            : SendWhenCreditAsync(message, cost, cancellationToken);
    }

    /// <summary>Opens another circuit between the same two peers; the remote sees it on its new-circuit
    /// channel.</summary>
    /// <param name="name">A label for the new circuit.</param>
    /// <param name="firstFragment">Optional; arrives first on the remote's <see cref="Reads"/> (owned by the
    /// library).</param>
    /// <param name="cancellationToken">Stops waiting for the remote's acknowledgement (the half-open circuit is
    /// closed).</param>
    /// <returns>The open circuit, once the remote has acknowledged it.</returns>
    /// <exception cref="PeerRejectedException">The remote refused it (e.g. its peer is gone).</exception>
    /// <exception cref="RpcTimeoutException">No answer within <see cref="RpcOptions.DefaultCallTimeout"/>.</exception>
    public Task<Circuit> OpenSiblingCircuitAsync(string name, Fragment? firstFragment = null,
        CancellationToken cancellationToken = default) =>
        _api.OpenCircuitAsync(LocalPeer, Connection, WireCallType.PeerStartCircuit, RemoteServiceName, RemotePeerId,
            name, firstFragment, cancellationToken);

    /// <summary>
    /// Closes the circuit on both sides: this side at once, the remote when its end-circuit message arrives. Safe to
    /// call more than once (the first reason wins). Completes once the remote's notice is queued.
    /// </summary>
    /// <param name="reason">Optional text the remote sees in its <see cref="CloseReason"/>.</param>
    public Task CloseAsync(string? reason = null)
    {
        Close(string.IsNullOrEmpty(reason) ? "closed locally" : "closed locally: " + reason, notifyRemote: true,
            remoteReason: reason ?? "");
        return Task.CompletedTask;
    }

    /// <summary>Closes the circuit on both sides, as <see cref="CloseAsync"/> without a reason does.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync();

    /// <inheritdoc />
    public override string ToString() => $"Circuit({CircuitId}, {Name}, {LocalPeer.PeerId} <-> {RemotePeerId})";

    /// <summary>The remote acknowledged the open: learn its real ID and name, and its window.</summary>
    /// <param name="ack">The acknowledgement.</param>
    /// <param name="remoteWindow">The remote's receive window, in credit units.</param>
    /// <param name="firstPayloadBytes">The payload size of the first fragment the open carried, or -1 for none: it
    /// already sits in the remote's window.</param>
    internal void OnOpenAcknowledged(MessageHeader ack, int remoteWindow, int firstPayloadBytes)
    {
        RemotePeerId = ack.FromPeerId;
        RemotePeerName = ack.FromPeerName;
        int firstCost = firstPayloadBytes < 0 ? 0 : SendCredit.CostOf(firstPayloadBytes, remoteWindow);
        SetRemoteWindow(remoteWindow, remoteWindow - firstCost);
    }

    /// <summary>Learns the remote's window and the credit it starts with.</summary>
    internal void SetRemoteWindow(int remoteWindow, int initialCredit)
    {
        Volatile.Write(ref _remoteWindow, remoteWindow);
        _sendCredit.Grant(Math.Max(0, initialCredit));
    }

    /// <summary>Hands a fragment from the remote to the reader (on the connection's reader loop; never
    /// blocks).</summary>
    internal void Deliver(Message message)
    {
        if (PeerWire.IntArg(message.Header, SystemArgs.Credit) is { } credit)
        {
            _sendCredit.Grant(credit);
            return;
        }
        Fragment fragment = PeerWire.FromMessage(message, this);
        Channel<Fragment> target = fragment.CallType == CallType.PeerError ? _errors : _reads;
        int cost = SendCredit.CostOf(fragment.Payload.Length, _window);
        // The unit count is the exact check; the channel's bound (in fragments) is a backstop.
        if (Interlocked.Add(ref _queuedUnits, cost) <= _window && target.Writer.TryWrite(fragment) || IsClosed)
        {
            AssertInvariants();
            return;
        }
        PeerLog.WindowOverrun(_api.Logger, CircuitId, Connection.RemoteAddress);
        Close("the remote sent beyond its credit window (protocol violation)", notifyRemote: true,
            remoteReason: "you sent beyond your credit window");
    }

    /// <summary>The reader took a fragment: return credit to the sender every quarter window.</summary>
    internal void OnFragmentTaken(Fragment fragment)
    {
        int cost = SendCredit.CostOf(fragment.Payload.Length, _window);
        Interlocked.Add(ref _queuedUnits, -cost);
        if (Interlocked.Add(ref _takenSinceGrant, cost) < _grantThreshold || IsClosed)
        {
            return;
        }
        AssertInvariants();
        int credit = Interlocked.Exchange(ref _takenSinceGrant, 0);
        if (credit > 0)
        {
            Message grant = PeerWire.Control(CallType.PeerTraffic, CircuitId, LocalPeer, RemotePeerId);
            grant.Header.Args[SystemArgs.Credit] = PeerWire.Text(credit);
            // Sent from the reader's thread, not the connection's reader loop: it may write at once.
            _api.SendBestEffort(Connection, grant, inline: true);
        }
    }

    /// <summary>Closes this side (first reason wins); with <paramref name="notifyRemote"/>, tells the remote.</summary>
    internal void Close(string reason, bool notifyRemote, string remoteReason = "", Exception? cause = null)
    {
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return;
            }
            _closeReason = new CircuitClosedException($"Circuit {CircuitId} ({Name}): {reason}", cause);
        }
        LocalPeer.Forget(this);
        if (notifyRemote)
        {
            Message end = PeerWire.Control(WireCallType.PeerEndCircuit, CircuitId, LocalPeer, RemotePeerId);
            end.Header.Subject = remoteReason;
            _api.SendBestEffort(Connection, end);
        }
        _reads.Writer.TryComplete();
        _errors.Writer.TryComplete();
        _sendCredit.Close();
        PeerLog.CircuitClosed(_api.Logger, CircuitId, reason);
        Diagnostics.RpcTracing.StopCircuit(Span, reason, failed: cause is not null);
        _closed.Cancel();
    }

    /// <summary>What the credit protocol promises: a well-behaved remote never has more than a window of fragments
    /// waiting here, and credit taken but not yet returned never exceeds the window.</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_reads.Reader.Count + _errors.Reader.Count <= 2 * _window, "a channel exceeded its bound");
        Debug.Assert(IsClosed || Volatile.Read(ref _queuedUnits) <= _window, "more queued than the window allows");
        Debug.Assert(Volatile.Read(ref _takenSinceGrant) <= _window + _grantThreshold,
            "more fragments taken than credit was ever granted");
    }

    private async ValueTask SendWhenCreditAsync(Message message, int cost, CancellationToken cancellationToken)
    {
        // False means the circuit closed while this send waited.
        _ = await _sendCredit.TakeAsync(cost, cancellationToken);
        ThrowIfClosed();
        await EnqueueAsync(message, cost, cancellationToken);
    }

    /// <summary>Queues a fragment whose credit (<paramref name="cost"/>) is taken.</summary>
    private ValueTask EnqueueAsync(Message message, int cost, CancellationToken cancellationToken)
    {
        try
        {
            ValueTask queued = _api.EnqueueForCircuit(this, message, cancellationToken);
            return queued.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitQueuedAsync(queued, cost);
        }
        catch (RpcConnectionClosedException e)
        {
            throw ClosedBy(e);
        }
    }

    private async ValueTask AwaitQueuedAsync(ValueTask queued, int cost)
    {
        try
        {
            await queued;
        }
        catch (OperationCanceledException)
        {
            // The caller gave up waiting for room in the connection's queue: the fragment was not sent, so its
            // credit goes back (else the window would shrink for good).
            _sendCredit.Grant(cost);
            throw;
        }
        catch (RpcConnectionClosedException e)
        {
            throw ClosedBy(e);
        }
    }

    private CircuitClosedException ClosedBy(RpcConnectionClosedException e)
    {
        Close("connection lost: " + e.Message, notifyRemote: false, cause: e);
        return CloseReason!;
    }

    private void ThrowIfClosed()
    {
        if (CloseReason is { } reason)
        {
            throw new CircuitClosedException(reason.Message, reason.InnerException);
        }
    }
}
