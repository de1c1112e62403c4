using System.Globalization;
using Rpc25519.Transport;

namespace Rpc25519.SimNet;

/// <summary>
/// A simulated network between the nodes of a <see cref="Simulation"/>, behind the same transport seam as TCP: put it
/// in <c>RpcOptions.Transport</c> and the unchanged <c>RpcServer</c>/<c>RpcClient</c> run on it. Addresses are
/// <c>node:port</c> (shown as <c>sim://node:port</c>). Messages (one per Rpc25519 frame by default) take a seeded
/// latency with per-connection FIFO order, and the fault methods drop, deafen, isolate, power off, skew, duplicate,
/// reorder and delay traffic; each returns its <see cref="SimUndo"/>.
/// </summary>
/// <remarks>
/// <para><see cref="ListenAsync"/> and <see cref="DialAsync"/> act for the node whose code calls them (the node of
/// the running work item); calling them outside a run fails.</para>
/// <para>Thread-safety: simulation thread only, like everything in a simulation.</para>
/// </remarks>
public sealed partial class SimNetwork : ITransport
{
    private readonly Simulation _simulation;
    private readonly SimNetworkOptions _options;
    private readonly SimExecutor _executor;
    private readonly SimRandom _random;
    private readonly List<SimHost?> _hosts = [];
    private readonly long _latencyMinTicks;
    private readonly long _latencySpanTicks;
    private long _nextMessageId;
    private long _nextConnectionId;
    private long _sent;
    private long _sentBytes;
    private long _delivered;
    private long _deliveredBytes;
    private long _dropped;
    private long _deaf;
    private long _duplicated;
    private long _resets;
    private long _overflows;
    private long _connectsRefused;
    private long _connects;

    /// <summary>Creates the network of <paramref name="simulation"/>; every node of it can listen and dial.</summary>
    /// <param name="simulation">The simulation whose nodes and clock the network uses.</param>
    /// <param name="options">Settings, validated now; null for the defaults.</param>
    public SimNetwork(Simulation simulation, SimNetworkOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(simulation);
        options ??= new SimNetworkOptions();
        options.Validate();
        _simulation = simulation;
        _options = options;
        _executor = simulation.Executor;
        _random = simulation.ForkInternal("network");
        _latencyMinTicks = options.LatencyMin.Ticks;
        _latencySpanTicks = options.LatencyMax.Ticks - options.LatencyMin.Ticks;
    }

    /// <summary>The simulation this network belongs to.</summary>
    public Simulation Simulation => _simulation;

    internal SimFraming Framing => _options.Framing;

    internal long NowTicks => _executor.NowTicks;

    internal SimProcess InfrastructureProcess => _simulation.Driver.Process;

    /// <summary>
    /// Returns a fresh <see cref="RpcOptions"/> wired to <paramref name="node"/>: this network as the transport, the
    /// node's virtual clock, its seeded randomness and its current process's scheduler. Build a new one after a power
    /// cycle (the old scheduler belongs to a dead process).
    /// </summary>
    /// <param name="node">The node the client or server will run on.</param>
    public RpcOptions CreateOptions(SimNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        HostOf(node);
        return new RpcOptions
        {
            CustomTransport = this,
            Transport = TransportKind.Tcp,
            TimeProvider = node.TimeProvider,
            Random = node.Random,
            TaskScheduler = node.TaskScheduler,
        };
    }

    /// <inheritdoc/>
    /// <remarks>The host part must be the calling node's own name (or <c>0.0.0.0</c>, <c>*</c>, <c>localhost</c>);
    /// port 0 picks a free port.</remarks>
    public ValueTask<IConnectionListener> ListenAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SimHost host = CallerHost(nameof(ListenAsync));
        (string name, int port) = ParseAddress(hostPort);
        if (name is not ("0.0.0.0" or "*" or "localhost" or "::") && !string.Equals(name, host.Name,
                StringComparison.Ordinal))
        {
            throw new RpcTransportException($"Node '{host.Name}' cannot listen on '{hostPort}': a node binds only " +
                "its " +
                "own name (or 0.0.0.0).");
        }
        if (port == 0)
        {
            port = host.AllocatePort();
        }
        if (host.Listeners.ContainsKey(port))
        {
            throw new RpcTransportException($"Address sim://{host.Name}:{port} is already in use.");
        }
        var listener = new SimListener(host, port, _options.AcceptBacklogMax);
        host.Listeners.Add(port, listener);
        return new ValueTask<IConnectionListener>(listener);
    }

    /// <inheritdoc/>
    /// <remarks>The dial takes one round trip of virtual latency. A refused dial (nothing listens, backlog full)
    /// fails with <see cref="RpcTransportException"/>; a dial that cannot reach its target (isolated, powered off,
    /// dropped) waits until <paramref name="cancellationToken"/> fires, as a lost SYN would.</remarks>
    public ValueTask<IConnection> DialAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SimHost from = CallerHost(nameof(DialAsync));
        (string name, int port) = ParseAddress(hostPort);
        SimHost target = HostByName(name) ?? throw new RpcTransportException(
            $"No simulated node is named '{name}' (dialing '{hostPort}' from '{from.Name}').");
        var dial = new PendingDial(from, target, port, from.Node.Process);
        if (cancellationToken.CanBeCanceled)
        {
            dial.Registration = cancellationToken.Register(
                static state => ((PendingDial)state!).Result.TrySetCanceled(), dial);
        }
        new CallbackEvent(dial.DialerProcess, OnSynArrived, dial).Arm(DrawLatency(from, target));
        return new ValueTask<IConnection>(dial.Result.Task);
    }

    /// <summary>Cuts a payload into a network message and sends it from <paramref name="origin"/>.</summary>
    internal void SendData(SimConnection origin, byte[] data)
    {
        if (origin.IsGone)
        {
            return;
        }
        var message = new SimMessage(_nextMessageId++, origin, SimMessageKind.Data, data, NowTicks);
        _sent++;
        _sentBytes += data.Length;
        Record(origin.Host, TraceKind.Send, data.Length, null);
        if (origin.InFlightCount >= _options.LinkMessagesMax)
        {
            SimNetLog.LinkFull(_simulation.Logger, origin.LocalAddress, origin.RemoteAddress, origin.InFlightCount);
            _overflows++;
            Lose(message, origin.Host.LostSends, "overflow");
            return;
        }
        SimHost host = origin.Host;
        bool overtake = host.ReorderProbability > 0 && _random.Chance(host.ReorderProbability);
        long latency = overtake ? _latencyMinTicks : DrawLatency(host, origin.Peer.Host);
        origin.Enqueue(message, latency, overtake);
        if (host.DuplicateProbability > 0 && _random.Chance(host.DuplicateProbability))
        {
            var copy = new SimMessage(_nextMessageId++, origin, SimMessageKind.Data, data, NowTicks)
            {
                IsDuplicate = true,
            };
            _duplicated++;
            Record(host, TraceKind.Duplicate, data.Length, null);
            origin.Enqueue(copy, DrawLatency(host, origin.Peer.Host), overtake: false);
        }
    }

    /// <summary>Sends a FIN or reset from <paramref name="origin"/> (ordered behind its data).</summary>
    internal void SendControl(SimConnection origin, SimMessageKind kind)
    {
        if (origin.IsGone && kind != SimMessageKind.Reset)
        {
            return;
        }
        var message = new SimMessage(_nextMessageId++, origin, kind, null, NowTicks);
        origin.Enqueue(message, DrawLatency(origin.Host, origin.Peer.Host), overtake: false);
    }

    /// <summary>A message reached the far end of its link: decide its fate and deliver it, or keep it as
    /// lost.</summary>
    internal void Arrive(SimMessage message)
    {
        SimConnection origin = message.Origin;
        SimConnection target = origin.Peer;
        if (message.Kind == SimMessageKind.Reset)
        {
            if (!target.IsGone && !target.IsClosed)
            {
                _resets++;
                Record(target.Host, TraceKind.Close, target.Id, "reset");
                target.ReceiveReset("the peer aborted");
            }
            return;
        }
        if (origin.IsStalled)
        {
            Lose(message, origin.Host.LostSends, "stalled");
            return;
        }
        string? lost = LossReason(origin, target);
        if (lost is not null)
        {
            Lose(message, origin.Host.LostSends, lost);
            return;
        }
        if (target.IsGone || target.IsClosed)
        {
            // The far end no longer exists (its process crashed, or it closed): like TCP, answer data with a reset.
            if (message.Kind == SimMessageKind.Data && !origin.IsClosed && !origin.IsGone)
            {
                SendResetTo(origin);
            }
            return;
        }
        if (message.Kind == SimMessageKind.Fin)
        {
            Record(target.Host, TraceKind.Close, target.Id, "fin");
            target.ReceiveFin();
            return;
        }
        if (target.DeafReadProbability > 0 && _random.Chance(target.DeafReadProbability))
        {
            _deaf++;
            message.LostReason = "deaf";
            Record(target.Host, TraceKind.Deaf, message.Length, null);
            target.Host.AddLost(target.Host.DeafReads, message);
            StallIfStream(origin);
            return;
        }
        _delivered++;
        _deliveredBytes += message.Length;
        Record(target.Host, TraceKind.Deliver, message.Length, null);
        if (_options.HashPayloads)
        {
            _executor.Trace.FoldValue(SimTrace.HashBytes(message.Data));
        }
        target.ReceiveData(message.Data!);
    }

    /// <summary>Called when a connection end closes locally.</summary>
    internal void OnClosed(SimConnection connection)
    {
        connection.Host.Connections.Remove(connection);
        Record(connection.Host, TraceKind.Close, connection.Id, null);
    }

    private string? LossReason(SimConnection origin, SimConnection target)
    {
        if (!target.Host.Node.IsPoweredOn)
        {
            return "powered off";
        }
        if (origin.Host.Isolated || target.Host.Isolated)
        {
            return "isolated";
        }
        if (IsBlocked(origin.Host, target.Host))
        {
            return "partitioned";
        }
        if (origin.DrawDrop())
        {
            return "dropped";
        }
        return null;
    }

    private void Lose(SimMessage message, LinkedList<SimMessage> queue, string reason)
    {
        message.LostReason = reason;
        if (message.Kind == SimMessageKind.Data)
        {
            _dropped++;
            Record(message.Origin.Host, TraceKind.Drop, message.Length, reason);
        }
        message.Origin.Host.AddLost(queue, message);
        StallIfStream(message.Origin);
    }

    private void StallIfStream(SimConnection origin)
    {
        if (_options.LossModel != LossModel.StreamStall || origin.IsStalled)
        {
            return;
        }
        origin.IsStalled = true;
        origin.StallReset = new CallbackEvent(InfrastructureProcess, OnStallTimeout, origin)
            .Arm(_options.StallResetAfter.Ticks);
    }

    private void OnStallTimeout(object? state)
    {
        var origin = (SimConnection)state!;
        origin.StallReset = null;
        if (!origin.IsStalled || origin.IsClosed || origin.IsGone)
        {
            return;
        }
        _resets++;
        SimNetLog.StallReset(_simulation.Logger, origin.LocalAddress, origin.RemoteAddress);
        Record(origin.Host, TraceKind.Close, origin.Id, "stall reset");
        origin.CloseLocally(new IOException("Connection reset: the stream stalled on lost data and was not repaired " +
            "in time (SimNetworkOptions.StallResetAfter)."));
        SendControl(origin, SimMessageKind.Reset);
    }

    private void SendResetTo(SimConnection origin)
    {
        var reset = new SimMessage(_nextMessageId++, origin.Peer, SimMessageKind.Reset, null, NowTicks);
        origin.Peer.Enqueue(reset, DrawLatency(origin.Peer.Host, origin.Host), overtake: true);
    }

    private void OnSynArrived(object? state)
    {
        var dial = (PendingDial)state!;
        if (dial.Result.Task.IsCompleted)
        {
            return;
        }
        SimHost from = dial.From;
        SimHost target = dial.Target;
        if (!target.Node.IsPoweredOn || from.Isolated || target.Isolated
            || IsBlocked(from, target) || IsBlocked(target, from)
            || _random.Chance(from.DropSendProbability) || _random.Chance(target.DeafReadProbability))
        {
            Record(from, TraceKind.Drop, 0, "syn lost");
            return;
        }
        if (!target.Listeners.TryGetValue(dial.Port, out SimListener? listener))
        {
            Refuse(dial, $"nothing listens on sim://{target.Name}:{dial.Port}");
            return;
        }
        int localPort = from.AllocatePort();
        string clientAddress = $"sim://{from.Name}:{localPort}";
        var client = new SimConnection(this, from, _nextConnectionId++, clientAddress, listener.LocalAddress);
        var server = new SimConnection(this, target, _nextConnectionId++, listener.LocalAddress, clientAddress);
        client.Peer = server;
        server.Peer = client;
        if (!listener.TryOffer(server))
        {
            Refuse(dial, $"the backlog of sim://{target.Name}:{dial.Port} is full");
            return;
        }
        from.Connections.Add(client);
        target.Connections.Add(server);
        _connects++;
        Record(target, TraceKind.Connect, server.Id, null);
        dial.Connection = client;
        new CallbackEvent(dial.DialerProcess, OnSynAckArrived, dial).Arm(DrawLatency(target, from));
    }

    private void OnSynAckArrived(object? state)
    {
        var dial = (PendingDial)state!;
        dial.Registration.Dispose();
        if (!dial.Result.TrySetResult(dial.Connection!))
        {
            // The dialer gave up (cancelled) while the handshake was in flight: tear down the half-made connection.
            dial.Connection!.Abort(new OperationCanceledException("The dial was cancelled."));
        }
    }

    private void Refuse(PendingDial dial, string why)
    {
        _connectsRefused++;
        dial.RefusalReason = why;
        Record(dial.From, TraceKind.Close, 0, "refused");
        new CallbackEvent(dial.DialerProcess, static s =>
        {
            var refused = (PendingDial)s!;
            refused.Registration.Dispose();
            refused.Result.TrySetException(new RpcTransportException(
                $"Connection refused: {refused.RefusalReason} (dial from '{refused.From.Name}')."));
        }, dial).Arm(DrawLatency(dial.Target, dial.From));
    }

    private long DrawLatency(SimHost from, SimHost to)
    {
        long latency = _latencyMinTicks + from.LatencySpikeTicks + to.LatencySpikeTicks;
        if (_latencySpanTicks > 0)
        {
            latency += (long)_random.NextUInt64((ulong)_latencySpanTicks + 1);
        }
        return latency;
    }

    private void Record(SimHost host, TraceKind kind, long detail, string? note) =>
        _executor.Trace.Record(_executor.Steps, _executor.NowTicks, host.Node.Id, kind, detail, note);

    private SimHost CallerHost(string operation)
    {
        SimProcess process = _executor.CurrentProcess ?? throw new InvalidOperationException(
            $"SimNetwork.{operation} must be called from node code running in Simulation.Run (use SimNode.Start).");
        SimNode node = _simulation.Nodes[process.NodeId];
        if (!ReferenceEquals(node.Process, process))
        {
            throw new InvalidOperationException($"SimNetwork.{operation} was called by a dead incarnation of node " +
                $"'{node.Name}'.");
        }
        return HostOf(node);
    }

    internal SimHost HostOf(SimNode node)
    {
        while (_hosts.Count <= node.Id)
        {
            _hosts.Add(null);
        }
        return _hosts[node.Id] ??= new SimHost(node, _options.LostMessagesMax);
    }

    private SimHost? HostByName(string name)
    {
        foreach (SimNode node in _simulation.Nodes)
        {
            if (string.Equals(node.Name, name, StringComparison.Ordinal))
            {
                return HostOf(node);
            }
        }
        return null;
    }

    /// <summary>Splits <c>node:port</c> (a <c>sim://</c> prefix is allowed) the same way the TCP transport does.</summary>
    private static (string Name, int Port) ParseAddress(string hostPort) => Rpc25519.Transport.HostPort.Split(hostPort);

    /// <summary>A dial in progress: the SYN and SYN-ACK legs are virtual-time events owned by the dialer.</summary>
    private sealed class PendingDial(SimHost from, SimHost target, int port, SimProcess dialerProcess)
    {
        public SimHost From { get; } = from;

        public SimHost Target { get; } = target;

        public int Port { get; } = port;

        public SimProcess DialerProcess { get; } = dialerProcess;

        // Not RunContinuationsAsynchronously: that sends non-context continuations to the thread pool.
        public TaskCompletionSource<IConnection> Result { get; } = new();

        public CancellationTokenRegistration Registration { get; set; }

        public SimConnection? Connection { get; set; }

        public string RefusalReason { get; set; } = "";
    }
}
