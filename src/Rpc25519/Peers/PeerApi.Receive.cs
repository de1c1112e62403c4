using Rpc25519.Messages;
using Rpc25519.Rpc;

namespace Rpc25519.Peers;

public sealed partial class PeerApi
{
    /// <summary>
    /// Routes one peer-layer message (call types 112–121). Called on the connection's reader loop: it only updates
    /// state and queues answers, never waits. Traffic for an unknown peer or circuit is logged and dropped.
    /// </summary>
    internal void OnMessage(RpcConnection connection, Message message)
    {
        MessageHeader hdr = message.Header;
        switch (hdr.CallType)
        {
            case WireCallType.PeerStart:
                OnStart(connection, message);
                return;
            case WireCallType.PeerStartCircuit or WireCallType.PeerStartCircuitTakeToId
                or WireCallType.PeerStartCircuitAtMostOne:
                OnOpen(connection, message);
                return;
            case WireCallType.PeerCircuitEstablishedAck:
                OnAck(connection, message);
                return;
            case WireCallType.PeerEndCircuit:
                if (TryFindCircuit(connection, hdr, out Circuit? ended))
                {
                    ended.Close(hdr.Subject.Length > 0 ? "closed by remote: " + hdr.Subject : "closed by remote",
                        notifyRemote: false);
                }
                return;
            case WireCallType.PeerFromIsShutdown:
                if (_peers.TryGetValue(hdr.ToPeerId, out LocalPeer? peer))
                {
                    peer.CloseCircuitsWhere(
                        c => c.RemotePeerId == hdr.FromPeerId && ReferenceEquals(c.Connection, connection),
                        $"remote peer {hdr.FromPeerId} shut down");
                }
                return;
            default:
                // PeerTraffic, PeerError, PeerTrafficWithServiceFallback.
                if (TryFindCircuit(connection, hdr, out Circuit? circuit))
                {
                    circuit.Deliver(message);
                }
                return;
        }
    }

    /// <summary>The connection closed: every circuit on it closes with the reason; waiting opens fail.</summary>
    internal void OnConnectionClosed(RpcConnection connection, Exception reason)
    {
        LocalPeer[] peers;
        lock (_startLock)
        {
            peers = [.. _peerOrder];
        }
        foreach (LocalPeer peer in peers)
        {
            peer.CloseCircuitsWhere(c => ReferenceEquals(c.Connection, connection),
                "connection lost: " + reason.Message, reason);
        }
        // Sorted: the order in which waiting opens fail must not depend on (per-process randomized) string hashing.
        foreach (PendingAck pending in _pendingAcks.Where(p => ReferenceEquals(p.Value.Connection, connection))
                     .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value))
        {
            pending.Fail(new RpcConnectionClosedException($"The connection to {connection.RemoteAddress} closed " +
                $"before the remote answered ({reason.Message}).", reason));
        }
    }

    private bool TryFindCircuit(RpcConnection connection, MessageHeader hdr,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Circuit? circuit)
    {
        circuit = null;
        if (!_peers.TryGetValue(hdr.ToPeerId, out LocalPeer? peer))
        {
            PeerLog.UnknownPeer(Logger, hdr.CallType.ToString(), connection.RemoteAddress, hdr.ToPeerId, hdr.CallId);
            return false;
        }
        if (!peer.TryGetCircuit(hdr.CallId, out Circuit found) || !ReferenceEquals(found.Connection, connection))
        {
            PeerLog.UnknownCircuit(Logger, hdr.CallType.ToString(), connection.RemoteAddress, hdr.ToPeerId, hdr.CallId);
            return false;
        }
        circuit = found;
        return true;
    }

    private void OnStart(RpcConnection connection, Message message)
    {
        MessageHeader hdr = message.Header;
        (LocalPeer? peer, PeerRejectedException? refusal) =
            StartOrReuse(hdr.ServiceName, "", peerId: null, reuseSingle: false, CancellationToken.None);
        if (refusal is not null)
        {
            Reject(connection, hdr, refusal);
            return;
        }
        Message ack = PeerWire.Control(WireCallType.PeerCircuitEstablishedAck, hdr.CallId, peer!, hdr.FromPeerId);
        ack.Header.Args[SystemArgs.PeerId] = peer!.PeerId;
        ack.Header.Args[SystemArgs.PeerUrl] = PeerUrl.Format(connection.LocalAddress, peer.ServiceName, peer.PeerId);
        SendBestEffort(connection, ack);
    }

    private void OnOpen(RpcConnection connection, Message message)
    {
        MessageHeader hdr = message.Header;
        LocalPeer? peer = null;
        PeerRejectedException? refusal = null;
        switch (hdr.CallType)
        {
            case WireCallType.PeerStartCircuit:
                if (!_peers.TryGetValue(hdr.ToPeerId, out peer))
                {
                    refusal = new PeerRejectedException($"No peer {hdr.ToPeerId} runs here (it may have shut down); " +
                        $"reach service '{hdr.ServiceName}' with OpenCircuitToSinglePeerAsync or start a " +
                        "new instance.");
                }
                break;
            case WireCallType.PeerStartCircuitTakeToId:
                (peer, refusal) = StartOrReuse(hdr.ServiceName, "", hdr.ToPeerId, reuseSingle: false,
                    CancellationToken.None);
                break;
            default:
                (peer, refusal) = StartOrReuse(hdr.ServiceName, "", peerId: null, reuseSingle: true,
                    CancellationToken.None);
                break;
        }
        refusal ??= TryAccept(connection, message, peer!);
        if (refusal is not null)
        {
            Reject(connection, hdr, refusal);
        }
    }

    /// <summary>Builds this side's half of an opened circuit, hands it to the peer's service and acknowledges it;
    /// returns the refusal instead if it cannot.</summary>
    private PeerRejectedException? TryAccept(RpcConnection connection, Message open, LocalPeer peer)
    {
        MessageHeader hdr = open.Header;
        if (PeerWire.IntArg(hdr, SystemArgs.Window) is not { } credit || credit < 1)
        {
            return new PeerRejectedException("The open carries no credit window (#window); the opener speaks " +
                "another version of the peer protocol.");
        }
        var circuit = new Circuit(this, peer, connection, hdr.CallId,
            hdr.HasArgs ? hdr.Args.GetValueOrDefault(SystemArgs.CircuitName, "") : "", hdr.FromPeerId,
            hdr.FromPeerName, hdr.FromServiceName);
        circuit.Span = Diagnostics.RpcTracing.StartCircuitAccept(hdr, circuit.Name, peer.ServiceName);
        if (!peer.TryRegister(circuit))
        {
            Diagnostics.RpcTracing.StopCircuit(circuit.Span, "refused: the peer is closing or the ID is taken",
                failed: true);
            return new PeerRejectedException($"Peer {peer.PeerId} is closing, or circuit {hdr.CallId} exists already.");
        }
        bool hasFirst = hdr.HasArgs && hdr.Args.ContainsKey(SystemArgs.HasFirst);
        if (hasFirst)
        {
            circuit.Deliver(open);
        }
        circuit.SetRemoteWindow(credit, credit);
        if (!peer.NewCircuits.TryWrite(circuit))
        {
            circuit.Close("refused: the peer's new-circuit queue is full", notifyRemote: false);
            return new PeerRejectedException($"Peer {peer.PeerId} has {NewCircuitQueueCapacity} new circuits " +
                "waiting for its service to take them (RpcOptions.Peers.NewCircuitQueueCapacity); try again later.");
        }
        Message ack = PeerWire.Control(WireCallType.PeerCircuitEstablishedAck, hdr.CallId, peer, hdr.FromPeerId);
        // The full window: the opener knows what its first fragment already took of it.
        ack.Header.Args[SystemArgs.Window] = PeerWire.Text(Window);
        ack.Header.Args[SystemArgs.PeerId] = peer.PeerId;
        ack.Header.Args[SystemArgs.PeerUrl] = PeerUrl.Format(connection.LocalAddress, peer.ServiceName, peer.PeerId);
        SendBestEffort(connection, ack);
        PeerLog.CircuitOpened(Logger, circuit.CircuitId, circuit.Name, peer.PeerId, circuit.RemotePeerId);
        return null;
    }

    /// <summary>Answers a start or open with a refusal (an ack carrying the reason, and limit details).</summary>
    private void Reject(RpcConnection connection, MessageHeader request, PeerRejectedException refusal)
    {
        PeerLog.OpenRejected(Logger, request.CallType.ToString(), connection.RemoteAddress, request.CallId,
            refusal.Message);
        var ack = new Message(new MessageHeader
        {
            CallType = WireCallType.PeerCircuitEstablishedAck,
            CallId = request.CallId,
            ToPeerId = request.FromPeerId,
            ServiceName = request.FromServiceName,
            FromServiceName = request.ServiceName,
        })
        {
            Error = refusal.Message,
        };
        if (refusal is PeerServiceLimitException limit)
        {
            Dictionary<string, string> args = ack.Header.Args;
            args[SystemArgs.LimitedServiceName] = request.ServiceName;
            args[SystemArgs.LimitedServiceMax] = PeerWire.Text(_limits.GetValueOrDefault(request.ServiceName));
            args[SystemArgs.LimitedServiceCurrentCount] = PeerWire.Text(limit.ExistingPeerIds.Count);
            args[SystemArgs.LimitedExistingPeerIds] = string.Join(",", limit.ExistingPeerIds);
            args[SystemArgs.LimitedExistingPeerIdFirst] = limit.ExistingPeerIds[0];
            // The URL as the remote reaches this side: over this connection.
            args[SystemArgs.LimitedExistingPeerIdFirstUrl] =
                PeerUrl.Format(connection.LocalAddress, request.ServiceName, limit.ExistingPeerIds[0]);
        }
        SendBestEffort(connection, ack);
    }

    private void OnAck(RpcConnection connection, Message ack)
    {
        MessageHeader hdr = ack.Header;
        if (!_pendingAcks.TryGetValue(hdr.CallId, out PendingAck? pending)
            || !ReferenceEquals(pending.Connection, connection))
        {
            PeerLog.UnclaimedAck(Logger, connection.RemoteAddress, hdr.CallId);
            return;
        }
        if (ack.Error.Length == 0 && pending.Circuit is { } circuit)
        {
            if (PeerWire.IntArg(hdr, SystemArgs.Window) is not { } window || window < 1)
            {
                pending.Fail(new PeerRejectedException("The remote's acknowledgement carries no credit window " +
                    "(#window); it speaks another version of the peer protocol."));
                return;
            }
            // Learn the remote's real ID (it was unknown for prefer-extant) before any of its traffic is routed.
            circuit.OnOpenAcknowledged(hdr, window, circuit.FirstPayloadBytes);
            circuit.LocalPeer.NoteRemote(circuit);
        }
        pending.Complete(ack);
    }
}
