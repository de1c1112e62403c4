using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Peers;

/// <summary>
/// The Peer/Circuit/Fragment API of one <see cref="RpcServer"/> or <see cref="RpcClient"/>, the same on both, so that
/// the same service code runs at either end: register peer services, start local and remote peers, open circuits.
/// </summary>
/// <remarks>
/// <para>Thread-safe.</para>
/// <para>Where it differs from the original on purpose: a refused circuit open fails the opener's call
/// (<see cref="PeerRejectedException"/>) instead of leaving a silent circuit; traffic for an unknown peer or circuit is
/// logged and dropped, never a reason to close the connection; back-pressure is per circuit (see <see cref="Circuit"/>)
/// instead of a shared pump that drops and closes after 2 s; more than one running instance under "prefer extant" is a
/// clear rejection. Peer starts reply with the acknowledgement type (114) rather than a plain one-way message.</para>
/// </remarks>
public sealed partial class PeerApi
{
    private readonly EndpointContext _endpoint;
    private readonly Func<string> _localAddress;
    private readonly Func<string, RpcConnection?> _connectionFor;
    private readonly Dictionary<string, int> _limits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PeerServiceHandler> _services = new(StringComparer.Ordinal);

    /// <summary>Running peers by ID (read on reader loops without a lock; written under <see
    /// cref="_startLock"/>).</summary>
    private readonly ConcurrentDictionary<string, LocalPeer> _peers = new(StringComparer.Ordinal);

    /// <summary>Running peers in start order (guarded by <see cref="_startLock"/>).</summary>
    private readonly List<LocalPeer> _peerOrder = [];

    /// <summary>Serializes starts, so that a service limit cannot be passed by two starts at once.</summary>
    private readonly Lock _startLock = new();

    /// <summary>Starts and opens waiting for their acknowledgement, by call (circuit) ID.</summary>
    private readonly ConcurrentDictionary<string, PendingAck> _pendingAcks = new(StringComparer.Ordinal);

    private readonly CancellationTokenSource _stopping = new();

    internal PeerApi(EndpointContext endpoint, Func<string> localAddress, Func<string, RpcConnection?> connectionFor)
    {
        _endpoint = endpoint;
        _localAddress = localAddress;
        _connectionFor = connectionFor;
        PeerOptions options = endpoint.Config.Peers;
        foreach ((string service, int limit) in options.ServiceLimits)
        {
            if (limit < 0)
            {
                throw new ArgumentException($"RpcOptions.Peers.ServiceLimits[\"{service}\"] is {limit}; use 0 (no " +
                    "limit) or a positive count.", "options");
            }
            _limits[service] = limit;
        }
        if (options.CircuitWindow < 1 || options.NewCircuitQueueCapacity < 1)
        {
            throw new ArgumentException("RpcOptions.Peers.CircuitWindow and RpcOptions.Peers.NewCircuitQueueCapacity " +
                "must be at least 1.", "options");
        }
        Window = options.CircuitWindow;
        NewCircuitQueueCapacity = options.NewCircuitQueueCapacity;
    }

    internal int Window { get; }

    internal int NewCircuitQueueCapacity { get; }

    internal ILogger Logger => _endpoint.Logger;

    internal string LocalAddress => _localAddress();

    /// <summary>Registers (or replaces) the code of the peer service <paramref name="name"/>; a start by this side or
    /// by a remote runs it once per new <see cref="LocalPeer"/>.</summary>
    /// <param name="name">The service name, a URL segment (no <c>/</c>).</param>
    /// <param name="handler">Runs once per started peer, with its channel of new circuits.</param>
    /// <exception cref="ArgumentException">The name is empty or contains <c>/</c>.</exception>
    public void RegisterPeerService(string name, PeerServiceHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(handler);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Peer service name '{name}' must not contain '/': it is a URL segment.",
                nameof(name));
        }
        _services[name] = handler;
    }

    /// <summary>Starts a local instance of a registered service; its service function begins at once.</summary>
    /// <param name="serviceName">A name registered with <see cref="RegisterPeerService"/>.</param>
    /// <param name="peerName">A label for the peer; empty means the service name.</param>
    /// <param name="cancellationToken">Cancelling it later closes the peer, like <see cref="LocalPeer.Close"/>.</param>
    /// <returns>The running peer; close it when done (the host closes it at the latest when it stops).</returns>
    /// <exception cref="PeerServiceLimitException">The service already runs <see cref="PeerOptions.ServiceLimits"/>
    /// instances here.</exception>
    /// <exception cref="PeerRejectedException">No such service is registered.</exception>
    public Task<LocalPeer> StartLocalPeerAsync(string serviceName, string peerName = "",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serviceName);
        cancellationToken.ThrowIfCancellationRequested();
        (LocalPeer? peer, PeerRejectedException? refusal) =
            StartOrReuse(serviceName, peerName, peerId: null, reuseSingle: false, cancellationToken);
        return refusal is null ? Task.FromResult(peer!) : Task.FromException<LocalPeer>(refusal);
    }

    /// <summary>Starts an instance of <paramref name="serviceName"/> at the far end of the connection to
    /// <paramref name="remoteAddress"/> and waits for its ID and URL.</summary>
    /// <param name="serviceName">A service registered on the remote.</param>
    /// <param name="remoteAddress"><c>tcp://host:port</c> of the remote: on a client, the server it is connected to; on a
    /// server, a connected client's address (as in <see cref="RpcServer.Connections"/>).</param>
    /// <param name="cancellationToken">Stops waiting (the remote peer may still start).</param>
    /// <exception cref="PeerRejectedException">The remote refused (no such service, or its limit).</exception>
    /// <exception cref="RpcTimeoutException">No answer within <see cref="RpcOptions.DefaultCallTimeout"/>.</exception>
    public async Task<RemotePeer> StartRemotePeerAsync(string serviceName, string remoteAddress,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        cancellationToken.ThrowIfCancellationRequested();
        RpcConnection connection = ConnectionFor(remoteAddress);
        var start = new Message(new MessageHeader { CallType = WireCallType.PeerStart, ServiceName = serviceName });
        start.Header.CallId = _endpoint.NewCallId();
        Message ack = await SendAndAwaitAckAsync(connection, start, null, cancellationToken);
        string peerId = ack.Header.FromPeerId;
        return new RemotePeer(peerId, PeerUrl.Format(connection.RemoteAddress, serviceName, peerId), serviceName);
    }

    /// <summary>
    /// Starts a new instance of <paramref name="serviceName"/> at <paramref name="remoteAddress"/> and opens a circuit
    /// to it from <paramref name="localPeer"/>, in one message; waits for the remote's acknowledgement.
    /// </summary>
    /// <param name="localPeer">The local end of the circuit.</param>
    /// <param name="circuitName">A label the remote sees.</param>
    /// <param name="serviceName">A service registered on the remote.</param>
    /// <param name="remoteAddress">As for <see cref="StartRemotePeerAsync"/>.</param>
    /// <param name="firstFragment">Optional; arrives first on the remote's <see cref="Circuit.Reads"/>.</param>
    /// <param name="cancellationToken">Stops waiting (the half-open circuit is closed on both sides).</param>
    /// <exception cref="PeerServiceLimitException">The remote already runs its maximum of that service; the
    /// exception names the existing instance.</exception>
    /// <exception cref="PeerRejectedException">The remote refused for another reason (e.g. no such
    /// service).</exception>
    public Task<Circuit> OpenCircuitToNewPeerAsync(LocalPeer localPeer, string circuitName,
        string serviceName, string remoteAddress, Fragment? firstFragment = null,
        CancellationToken cancellationToken = default) =>
        // The opener chooses the new remote peer's ID, so the open needs no extra round trip.
        OpenToServiceAsync(localPeer, WireCallType.PeerStartCircuitTakeToId, circuitName, serviceName, remoteAddress,
            _endpoint.NewCallId(), firstFragment, cancellationToken);

    /// <summary>
    /// Opens a circuit to the single running instance of <paramref name="serviceName"/> at <paramref
    /// name="remoteAddress"/>,
    /// starting one there if none runs ("prefer extant"): the way to reach the canonical instance of a service, e.g.
    /// after its host restarted and it got a new ID. Parameters and errors as for
    /// <see cref="OpenCircuitToNewPeerAsync"/>; more than one running instance is a
    /// <see cref="PeerRejectedException"/>.
    /// </summary>
    public Task<Circuit> OpenCircuitToSinglePeerAsync(LocalPeer localPeer, string circuitName,
        string serviceName, string remoteAddress, Fragment? firstFragment = null,
        CancellationToken cancellationToken = default) =>
        OpenToServiceAsync(localPeer, WireCallType.PeerStartCircuitAtMostOne, circuitName, serviceName, remoteAddress,
            "", firstFragment, cancellationToken);

    private Task<Circuit> OpenToServiceAsync(LocalPeer localPeer, CallType typ, string circuitName, string serviceName,
        string remoteAddress, string remotePeerId, Fragment? firstFragment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(localPeer);
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        RpcConnection connection = ConnectionFor(remoteAddress);
        return OpenCircuitAsync(localPeer, connection, typ, serviceName, remotePeerId, circuitName, firstFragment,
            cancellationToken);
    }

    /// <summary>A snapshot of the running local instances of <paramref name="serviceName"/>, oldest first.</summary>
    public IReadOnlyList<LocalPeer> GetLocalPeers(string serviceName)
    {
        lock (_startLock)
        {
            return [.. _peerOrder.Where(p => p.ServiceName == serviceName)];
        }
    }

    /// <summary>Closes every local peer (telling their remotes) and waits up to
    /// <see cref="RpcOptions.ShutdownGracePeriod"/> for their service functions (called by the host's
    /// dispose).</summary>
    internal async Task StopAsync()
    {
        _stopping.Cancel();
        LocalPeer[] peers;
        lock (_startLock)
        {
            peers = [.. _peerOrder];
        }
        foreach (LocalPeer peer in peers)
        {
            peer.Shutdown("the host is stopping");
        }
        foreach (LocalPeer peer in peers)
        {
            try
            {
                await peer.Completion.WaitAsync(_endpoint.Config.ShutdownGracePeriod, _endpoint.TimeProvider);
            }
            catch (TimeoutException)
            {
                PeerLog.ServiceStopTimedOut(Logger, peer.PeerId);
            }
        }
    }

    internal void Forget(LocalPeer peer)
    {
        lock (_startLock)
        {
            _peers.TryRemove(new KeyValuePair<string, LocalPeer>(peer.PeerId, peer));
            _peerOrder.Remove(peer);
        }
    }

    /// <summary>The connection that reaches <paramref name="netAddress"/>.</summary>
    /// <exception cref="RpcException">There is none.</exception>
    internal RpcConnection ConnectionFor(string netAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(netAddress);
        string address = netAddress.Contains("://", StringComparison.Ordinal) ? netAddress : "tcp://" + netAddress;
        return _connectionFor(address) ?? throw new RpcException($"There is no open connection to {address} here: " +
            "a client reaches only the server it is connected to, a server only its connected clients " +
            "(RpcServer.Connections).");
    }
}
