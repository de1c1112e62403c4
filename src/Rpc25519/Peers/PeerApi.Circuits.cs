using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Peers;

public sealed partial class PeerApi
{
    /// <summary>Room left in a frame for the header of a fragment, beyond its payload, error and args.</summary>
    private const int FragmentHeaderAllowanceBytes = 1024;

    /// <summary>Opens a circuit from <paramref name="local"/> over <paramref name="connection"/> with the open type
    /// <paramref name="typ"/> (113, 115 or 116) and waits for the acknowledgement.</summary>
    internal async Task<Circuit> OpenCircuitAsync(LocalPeer local, RpcConnection connection, CallType typ,
        string remoteServiceName, string remotePeerId, string circuitName, Fragment? firstFragment,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var circuit = new Circuit(this, local, connection, _endpoint.NewCallId(), circuitName ?? "", remotePeerId, "",
            remoteServiceName);
        Message open = PeerWire.ToMessage(firstFragment ?? new Fragment(), circuit, typ);
        CheckSize(open);
        open.Header.Args[SystemArgs.Window] = PeerWire.Text(Window);
        open.Header.Args[SystemArgs.CircuitName] = circuit.Name;
        if (firstFragment is not null)
        {
            open.Header.Args[SystemArgs.HasFirst] = "1";
            circuit.FirstPayloadBytes = firstFragment.Payload.Length;
        }
        circuit.Span = Diagnostics.RpcTracing.StartCircuitOpen(open, circuit.Name, remoteServiceName);
        if (!local.TryRegister(circuit))
        {
            Diagnostics.RpcTracing.StopCircuit(circuit.Span, "the local peer is closed", failed: true);
            throw new CircuitClosedException($"Peer {local.PeerId} is closed; start a new peer to open circuits.");
        }
        try
        {
            await SendAndAwaitAckAsync(connection, open, circuit, cancellationToken);
        }
        catch (Exception e)
        {
            // A refusal leaves nothing open over there; after a timeout or cancellation the remote may have accepted.
            circuit.Close("the open failed: " + e.Message, notifyRemote: e is not PeerRejectedException,
                remoteReason: "the opener gave up", cause: e);
            throw;
        }
        PeerLog.CircuitOpened(Logger, circuit.CircuitId, circuit.Name, local.PeerId, circuit.RemotePeerId);
        return circuit;
    }

    /// <summary>Sends a start or open and waits for its acknowledgement; a refusal becomes an exception.</summary>
    private async Task<Message> SendAndAwaitAckAsync(RpcConnection connection, Message request, Circuit? circuit,
        CancellationToken cancellationToken)
    {
        string callId = request.Header.CallId;
        var pending = new PendingAck(connection, circuit);
        _pendingAcks[callId] = pending;
        try
        {
            await connection.EnqueueAsync(request, moreComing: false, cancellationToken);
            Message ack = await pending.Task.WaitAsync(_endpoint.Config.DefaultCallTimeout, _endpoint.TimeProvider,
                cancellationToken);
            return ack.Error.Length == 0 ? ack : throw RefusalFrom(ack);
        }
        catch (TimeoutException)
        {
            throw new RpcTimeoutException($"{request.Header.CallType} to service '{request.Header.ServiceName}' at " +
                $"{connection.RemoteAddress} got no answer within RpcOptions.DefaultCallTimeout " +
                $"({_endpoint.Config.DefaultCallTimeout.TotalSeconds:0.###} s).");
        }
        finally
        {
            _pendingAcks.TryRemove(new KeyValuePair<string, PendingAck>(callId, pending));
        }
    }

    private static PeerRejectedException RefusalFrom(Message ack)
    {
        string text = "The remote refused: " + ack.Error;
        if (ack.Header.HasArgs && ack.Header.Args.TryGetValue(SystemArgs.LimitedExistingPeerIdFirstUrl, out string? url))
        {
            string ids = ack.Header.Args.GetValueOrDefault(SystemArgs.LimitedExistingPeerIds, "");
            return new PeerServiceLimitException(text, url, ids.Split(',', StringSplitOptions.RemoveEmptyEntries));
        }
        return new PeerRejectedException(text);
    }

    /// <summary>
    /// Starts a peer of <paramref name="serviceName"/> (or, with <paramref name="reuseSingle"/>, returns its single
    /// running instance), enforcing the service limit. Never throws for a refusal: it is returned, so that the
    /// reader loop can turn it into a rejection.
    /// </summary>
    private (LocalPeer? Peer, PeerRejectedException? Refusal) StartOrReuse(string serviceName, string peerName,
        string? peerId, bool reuseSingle, CancellationToken startToken)
    {
        if (!_services.TryGetValue(serviceName, out PeerServiceHandler? func))
        {
            return (null, new PeerRejectedException($"No peer service is registered as '{serviceName}' on this side " +
                "(PeerApi.RegisterPeerService)."));
        }
        LocalPeer peer;
        lock (_startLock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return (null, new PeerRejectedException("The host is stopping; no peers start any more."));
            }
            LocalPeer[] running = [.. _peerOrder.Where(p => p.ServiceName == serviceName)];
            if (reuseSingle && running.Length == 1)
            {
                return (running[0], null);
            }
            if (reuseSingle && running.Length > 1)
            {
                return (null, new PeerRejectedException($"'Prefer extant' needs at most one running instance of " +
                    $"'{serviceName}', but {running.Length} run ({string.Join(",", running.Select(p => p.PeerId))}); " +
                    "open the circuit by URL to the one you mean.", running[0].Url));
            }
            if (_limits.TryGetValue(serviceName, out int max) && max > 0 && running.Length >= max)
            {
                string[] ids = [.. running.Select(p => p.PeerId)];
                return (null, new PeerServiceLimitException($"Service '{serviceName}' is already at " +
                    $"RpcOptions.Peers.ServiceLimits ({max}) here; running: {string.Join(",", ids)}. Use the existing " +
                    $"instance {running[0].Url} instead.", running[0].Url, ids));
            }
            if (peerId is not null && _peers.ContainsKey(peerId))
            {
                return (null, new PeerRejectedException($"Peer ID {peerId} is already in use here."));
            }
            peer = new LocalPeer(this, serviceName, peerName.Length > 0 ? peerName : serviceName,
                peerId ?? _endpoint.NewCallId());
            _peers[peer.PeerId] = peer;
            _peerOrder.Add(peer);
        }
        PeerLog.PeerStarted(Logger, peer.PeerId, serviceName);
        peer.Start(func, startToken, _endpoint.Config.TaskScheduler);
        return (peer, null);
    }

    /// <summary>Queues a circuit's fragment; its circuit's watch hears whether it went out.</summary>
    internal ValueTask EnqueueForCircuit(Circuit circuit, Message message, CancellationToken cancellationToken) =>
        circuit.Connection.EnqueueAsync(message, circuit.SendWatch, cancellationToken);

    /// <summary>
    /// Queues a peer-layer control message (ack, credit, end-circuit, shutdown) without waiting. If the connection is
    /// closed, the message is moot (the remote learns of the loss from the connection itself), so the failure is only
    /// logged.
    /// </summary>
    /// <param name="connection">Where to send.</param>
    /// <param name="message">The control message.</param>
    /// <param name="inline">Whether a drain this starts may write on this thread now. False (the default) schedules
    /// it instead, so that the connection's reader loop (the usual caller) goes straight back to reading.</param>
    internal void SendBestEffort(RpcConnection connection, Message message, bool inline = false)
    {
        try
        {
            ValueTask queued = connection.EnqueueAsync(message, moreComing: !inline, CancellationToken.None);
            if (!queued.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(queued, connection, message);
            }
        }
        catch (RpcException e)
        {
            PeerLog.SystemSendFailed(Logger, message.Header.CallType.ToString(), connection.RemoteAddress, message.Header.CallId,
                e.Message);
        }
    }

    /// <summary>Refuses a fragment that cannot fit in a frame, before it takes credit or queue room.</summary>
    /// <exception cref="ArgumentException">It is too large.</exception>
    internal void CheckSize(Message message)
    {
        long bytes = message.Payload.Length + 3L * (message.Error.Length + message.Header.Subject.Length)
                     + FragmentHeaderAllowanceBytes;
        if (message.Header.HasArgs)
        {
            bytes += message.Header.Args.Sum(a => 3L * (a.Key.Length + a.Value.Length));
        }
        if (bytes > _endpoint.Config.MaxFrameBytes)
        {
            throw new ArgumentException($"A fragment of about {bytes} bytes does not fit in a frame of " +
                $"RpcOptions.MaxFrameBytes ({_endpoint.Config.MaxFrameBytes}); split it over several fragments.",
                nameof(message));
        }
    }

    private async Task ObserveAsync(ValueTask queued, RpcConnection connection, Message message)
    {
        try
        {
            await queued;
        }
        catch (RpcException e)
        {
            PeerLog.SystemSendFailed(Logger, message.Header.CallType.ToString(), connection.RemoteAddress, message.Header.CallId,
                e.Message);
        }
    }
}
