using System.Collections.Concurrent;
using System.Threading.Channels;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Peers;

/// <summary>
/// One running instance of a registered peer service in this process: it has an ID, a URL, the circuits opened to
/// and from it, and the task of its <see cref="PeerServiceHandler"/>.
/// </summary>
/// <remarks>
/// <para>Thread-safe.</para>
/// <para>Closing a peer (<see cref="Close"/>, its service function returning, the token given at start, or the host
/// stopping) closes each of its circuits and tells each remote (end-circuit per circuit, then a shutdown notice per
/// remote peer). Closing does not wait for the service function; <see cref="Completion"/> does.</para>
/// </remarks>
public sealed class LocalPeer : IAsyncDisposable
{
    private readonly PeerApi _api;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<Circuit> _newCircuits;

    /// <summary>Open circuits by ID (read on the connection's reader loop without a lock).</summary>
    private readonly ConcurrentDictionary<string, Circuit> _circuits = new(StringComparer.Ordinal);

    /// <summary>Guards <see cref="_closeReason"/> and <see cref="_remotes"/>.</summary>
    private readonly Lock _lock = new();

    /// <summary>Remote peers this peer has had circuits with, in first-seen order (told when this peer shuts
    /// down).</summary>
    private readonly List<(string PeerId, RpcConnection Connection)> _remotes = [];

    private string? _closeReason;
    private CancellationTokenRegistration _startTokenRegistration;

    internal LocalPeer(PeerApi api, string serviceName, string peerName, string peerId)
    {
        _api = api;
        ServiceName = serviceName;
        PeerName = peerName;
        PeerId = peerId;
        _newCircuits = Channel.CreateBounded<Circuit>(new BoundedChannelOptions(api.NewCircuitQueueCapacity)
        {
            // Never waited on: a full channel makes the open fail back to its opener (PeerApi.AcceptOpen).
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <summary>This peer's ID (28 base64url characters from the config's seeded random source).</summary>
    public string PeerId { get; }

    /// <summary>The name given at start (the service name when none was given).</summary>
    public string PeerName { get; }

    /// <summary>The service this peer runs.</summary>
    public string ServiceName { get; }

    /// <summary>This peer's URL, <c>tcp://host:port/service/peerId</c>: the host's address (a server's bound address,
    /// a client's local address) as a remote reaches it.</summary>
    public string Url => PeerUrl.Format(_api.LocalAddress, ServiceName, PeerId);

    /// <summary>Whether the peer is closed.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closeReason is not null;
            }
        }
    }

    /// <summary>Fires when the peer closes; the same token the service function gets.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>The number of open circuits of this peer.</summary>
    public int OpenCircuitCount => _circuits.Count;

    /// <summary>Completes when the service function has returned (never faults; a failure is logged).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Opens a circuit to the remote peer named by <paramref name="peerUrl"/> (<c>tcp://host:port/service/peerId</c>,
    /// no circuit part) and waits for the remote to acknowledge it. The remote's service gets it on its new-circuit
    /// channel, and <paramref name="firstFragment"/>, if given, first on its <see cref="Circuit.Reads"/>. The new
    /// circuit is not put on this peer's own new-circuit channel.
    /// </summary>
    /// <param name="circuitName">A label the remote sees as <see cref="Circuit.Name"/>.</param>
    /// <param name="peerUrl">The remote peer's URL. On a client it must name the server the client is connected
    /// to.</param>
    /// <param name="firstFragment">Optional first fragment, owned by the library from now on.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (the half-open circuit is then closed on
    /// both sides).</param>
    /// <exception cref="ArgumentException">The URL is malformed, has no peer ID, or has a circuit ID.</exception>
    /// <exception cref="PeerRejectedException">The remote refused (no such peer, a full new-circuit queue,
    /// ...).</exception>
    /// <exception cref="RpcTimeoutException">No answer within <see cref="RpcOptions.DefaultCallTimeout"/>.</exception>
    /// <exception cref="RpcException">There is no connection to that address, or it closed.</exception>
    public Task<Circuit> OpenCircuitAsync(string circuitName, string peerUrl, Fragment? firstFragment = null,
        CancellationToken cancellationToken = default)
    {
        PeerUrl url = PeerUrl.Parse(peerUrl);
        if (url.PeerId.Length == 0 || url.CircuitId.Length > 0)
        {
            throw new ArgumentException($"'{peerUrl}' must name a peer and no circuit " +
                "(tcp://host:port/service/peerId); " +
                "to reach a service without a known peer use PeerApi.OpenCircuitToNewPeerAsync or " +
                "OpenCircuitToSinglePeerAsync.", nameof(peerUrl));
        }
        RpcConnection connection = _api.ConnectionFor(url.NetAddress);
        return _api.OpenCircuitAsync(this, connection, WireCallType.PeerStartCircuit, url.ServiceName, url.PeerId,
            circuitName, firstFragment, cancellationToken);
    }

    /// <summary>Closes the peer and all its circuits (telling their remotes); does not wait for the service function
    /// (see <see cref="Completion"/>). Safe to call more than once.</summary>
    public void Close() => Shutdown("closed locally");

    /// <summary>Closes the peer and all its circuits (as <see cref="Close"/>), then waits for its service function to
    /// return. A service function that failed was logged when it failed; its error is not thrown again here.</summary>
    public async ValueTask DisposeAsync()
    {
        Close();
        await Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    /// <inheritdoc />
    public override string ToString() => $"LocalPeer({ServiceName}, {PeerId})";

    internal ChannelWriter<Circuit> NewCircuits => _newCircuits.Writer;

    /// <summary>Starts the service function on the configured scheduler; a cancelled <paramref name="startToken"/>
    /// later closes the peer.</summary>
    internal void Start(PeerServiceHandler func, CancellationToken startToken, TaskScheduler scheduler)
    {
        Completion = Task.Factory.StartNew(static s =>
            {
                var (peer, body) = ((LocalPeer, PeerServiceHandler))s!;
                return peer.RunServiceAsync(body);
            }, (this, func), CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
        _startTokenRegistration = startToken.UnsafeRegister(
            static s => ((LocalPeer)s!).Shutdown("the token given at start was cancelled"), this);
    }

    internal bool TryGetCircuit(string circuitId, out Circuit circuit) =>
        _circuits.TryGetValue(circuitId, out circuit!);

    /// <summary>Adds a circuit; false if the peer is closed or the ID is taken.</summary>
    internal bool TryRegister(Circuit circuit)
    {
        lock (_lock)
        {
            if (_closeReason is not null || !_circuits.TryAdd(circuit.CircuitId, circuit))
            {
                return false;
            }
            NoteRemoteLocked(circuit);
            Diagnostics.RpcMetrics.Circuit(+1);
            return true;
        }
    }

    /// <summary>Remembers the circuit's remote peer, to tell it when this peer shuts down.</summary>
    internal void NoteRemote(Circuit circuit)
    {
        lock (_lock)
        {
            NoteRemoteLocked(circuit);
        }
    }

    private void NoteRemoteLocked(Circuit circuit)
    {
        string remotePeerId = circuit.RemotePeerId;
        if (remotePeerId.Length > 0
            && !_remotes.Any(r => r.PeerId == remotePeerId && ReferenceEquals(r.Connection, circuit.Connection)))
        {
            _remotes.Add((remotePeerId, circuit.Connection));
        }
    }

    /// <summary>Removes a closed circuit.</summary>
    internal void Forget(Circuit circuit)
    {
        if (_circuits.TryRemove(new KeyValuePair<string, Circuit>(circuit.CircuitId, circuit)))
        {
            Diagnostics.RpcMetrics.Circuit(-1);
        }
    }

    /// <summary>Closes the circuits that match (not telling the remote, which is gone or already knows).</summary>
    internal void CloseCircuitsWhere(Func<Circuit, bool> match, string reason, Exception? cause = null)
    {
        foreach (Circuit circuit in Snapshot())
        {
            if (match(circuit))
            {
                circuit.Close(reason, notifyRemote: false, cause: cause);
            }
        }
    }

    internal void Shutdown(string reason)
    {
        List<(string PeerId, RpcConnection Connection)> remotes;
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return;
            }
            _closeReason = reason;
            remotes = [.. _remotes];
        }
        _newCircuits.Writer.TryComplete();
        foreach (Circuit circuit in Snapshot())
        {
            circuit.Close($"peer {PeerId} shut down ({reason})", notifyRemote: true,
                remoteReason: $"peer {PeerId} shut down");
        }
        foreach ((string remotePeerId, RpcConnection connection) in remotes)
        {
            _api.SendBestEffort(connection,
                PeerWire.Control(WireCallType.PeerFromIsShutdown, PeerId, this, remotePeerId));
        }
        _api.Forget(this);
        PeerLog.PeerClosed(_api.Logger, PeerId, ServiceName, reason);
        _stopping.Cancel();
        _startTokenRegistration.Dispose();
    }

    /// <summary>The open circuits, sorted by ID so that the order of close notices does not depend on
    /// hashing.</summary>
    private Circuit[] Snapshot() =>
        [.. _circuits.Values.OrderBy(c => c.CircuitId, StringComparer.Ordinal)];

    private async Task RunServiceAsync(PeerServiceHandler body)
    {
        string reason = "the service function returned";
        try
        {
            await body(this, _newCircuits.Reader, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The usual way out once the peer is closing.
        }
        catch (Exception e)
        {
            PeerLog.ServiceFuncFailed(_api.Logger, PeerId, ServiceName, e);
            reason = "the service function failed: " + e.Message;
        }
        Shutdown(reason);
    }
}
