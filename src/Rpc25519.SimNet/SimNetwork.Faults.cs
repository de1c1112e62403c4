namespace Rpc25519.SimNet;

/// <summary>The fault vocabulary of the network (kept from the original simnet, plus skew, duplication, reordering
/// and latency spikes). Every alteration returns its undo; repairs return how many lost messages they
/// re-sent.</summary>
public sealed partial class SimNetwork
{
    /// <summary>
    /// Changes the probabilities of <paramref name="origin"/>'s ends of its circuits towards <paramref name="target"/>
    /// (all its circuits when null): drop applies to what origin sends, deaf to what origin hears. Asymmetric by
    /// design: the other ends keep their own settings. Connections made later are not affected (see
    /// <see cref="FaultHost"/>).
    /// </summary>
    /// <param name="origin">The node whose circuit ends change.</param>
    /// <param name="target">The peer node, or null for every peer.</param>
    /// <param name="spec">The new probabilities; a null field is left as it is.</param>
    /// <returns>The undo, restoring each changed end's previous probabilities.</returns>
    public SimUndo FaultCircuit(SimNode origin, SimNode? target, DropDeafSpec spec)
    {
        ArgumentNullException.ThrowIfNull(origin);
        spec.Validate();
        SimHost host = HostOf(origin);
        SimHost? peer = target is null ? null : HostOf(target);
        var previous = new List<(SimConnection, double, double)>();
        foreach (SimConnection connection in host.Connections)
        {
            if (peer is null || ReferenceEquals(connection.Peer.Host, peer))
            {
                previous.Add((connection, connection.DropSendProbability, connection.DeafReadProbability));
                Apply(connection, spec);
            }
        }
        string description = $"fault circuit {origin.Name}->{target?.Name ?? "*"} {spec}";
        RecordFault(host, 1, description);
        return new SimUndo(description, () =>
        {
            foreach ((SimConnection connection, double drop, double deaf) in previous)
            {
                connection.DropSendProbability = drop;
                connection.DeafReadProbability = deaf;
            }
            RecordFault(host, -1, description);
        });
    }

    /// <summary>
    /// Changes the probabilities of every circuit end of <paramref name="node"/> and records them on the host, so that
    /// connections it makes or accepts later inherit them (a flaky network card survives reconnects and reboots).
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="spec">The new probabilities; a null field is left as it is.</param>
    /// <returns>The undo, restoring the host's and each end's previous probabilities.</returns>
    public SimUndo FaultHost(SimNode node, DropDeafSpec spec)
    {
        ArgumentNullException.ThrowIfNull(node);
        spec.Validate();
        SimHost host = HostOf(node);
        (double drop, double deaf) = (host.DropSendProbability, host.DeafReadProbability);
        host.DropSendProbability = spec.DropSendProbability ?? host.DropSendProbability;
        host.DeafReadProbability = spec.DeafReadProbability ?? host.DeafReadProbability;
        SimUndo circuits = FaultCircuit(node, null, spec);
        string description = $"fault host {node.Name} {spec}";
        RecordFault(host, 2, description);
        return new SimUndo(description, () =>
        {
            host.DropSendProbability = drop;
            host.DeafReadProbability = deaf;
            circuits.Undo();
        });
    }

    /// <summary>Cuts <paramref name="node"/> off the network (a dead switch port): nothing in or out, including
    /// messages already in flight when they arrive, which go to the senders' lost queues. Survives power cycles.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <returns>The undo, restoring the previous isolation state.</returns>
    public SimUndo Isolate(SimNode node) => SetIsolated(node, true);

    /// <summary>Reconnects an isolated node. Lost messages stay lost unless a repair re-sends them.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The undo, restoring the previous isolation state.</returns>
    public SimUndo Unisolate(SimNode node) => SetIsolated(node, false);

    /// <summary>
    /// Cuts the power of <paramref name="node"/>: a true crash. Its queued work, timers and pending continuations
    /// vanish, its listeners and connections are gone (peers learn of it only when they send and get a reset back),
    /// and messages sent to it are lost. Network faults of the node persist. After power-on, start the node's code
    /// again with a config built from the node's new <see cref="SimNode.TaskScheduler"/>.
    /// </summary>
    /// <param name="node">The node; not the driver.</param>
    /// <returns>The undo: power on.</returns>
    public SimUndo PowerOff(SimNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (ReferenceEquals(node, _simulation.Driver))
        {
            throw new InvalidOperationException("The driver node runs the test itself and cannot be powered off.");
        }
        SimHost host = HostOf(node);
        if (!node.PowerOff())
        {
            return new SimUndo($"power off {node.Name} (already off)", () => { });
        }
        host.Connections.Clear();
        host.Listeners.Clear();
        host.DeafReads.Clear();
        SimNetLog.PowerChanged(_simulation.Logger, node.Id, "off", _simulation.Elapsed, node.Incarnation);
        return new SimUndo($"power off {node.Name}", () => PowerOn(node));
    }

    /// <summary>Powers a node on with a fresh process; nothing of the old one runs again.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The undo: power off.</returns>
    public SimUndo PowerOn(SimNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        HostOf(node);
        if (!node.PowerOn())
        {
            return new SimUndo($"power on {node.Name} (already on)", () => { });
        }
        SimNetLog.PowerChanged(_simulation.Logger, node.Id, "on", _simulation.Elapsed, node.Incarnation);
        return new SimUndo($"power on {node.Name}", () => PowerOff(node));
    }

    /// <summary>Skews <paramref name="node"/>'s clock: its wall clock jumps by <paramref name="offset"/> and runs
    /// <paramref name="driftPartsPerMillion"/> fast (negative: slow); its timers follow its own clock.</summary>
    /// <param name="node">The node.</param>
    /// <param name="offset">Wall-clock offset against true virtual time.</param>
    /// <param name="driftPartsPerMillion">Rate error; above -1,000,000.</param>
    /// <returns>The undo, restoring the previous skew.</returns>
    public SimUndo SkewClock(SimNode node, TimeSpan offset, double driftPartsPerMillion)
    {
        ArgumentNullException.ThrowIfNull(node);
        VirtualTimeProvider clock = node.TimeProvider;
        (TimeSpan oldOffset, double oldDrift) = (clock.Offset, clock.DriftPartsPerMillion);
        clock.SetSkew(offset, driftPartsPerMillion);
        string description = $"skew clock {node.Name} offset={offset} drift={driftPartsPerMillion}ppm";
        RecordFault(HostOf(node), 3, description);
        return new SimUndo(description, () => clock.SetSkew(oldOffset, oldDrift));
    }

    /// <summary>Makes each message <paramref name="node"/> sends arrive twice with this probability (the copy takes
    /// its own latency, in order behind later messages).</summary>
    /// <param name="node">The sending node.</param>
    /// <param name="probability">In [0, 1].</param>
    /// <returns>The undo, restoring the previous probability.</returns>
    public SimUndo Duplicate(SimNode node, double probability) =>
        SetHostProbability(node, probability, "duplicate", 4, static h => h.DuplicateProbability,
            static (h, p) => h.DuplicateProbability = p);

    /// <summary>Lets each message <paramref name="node"/> sends overtake the ones before it on its connection with
    /// this probability (it takes the minimum latency, ignoring FIFO order).</summary>
    /// <param name="node">The sending node.</param>
    /// <param name="probability">In [0, 1].</param>
    /// <returns>The undo, restoring the previous probability.</returns>
    public SimUndo Reorder(SimNode node, double probability) =>
        SetHostProbability(node, probability, "reorder", 5, static h => h.ReorderProbability,
            static (h, p) => h.ReorderProbability = p);

    /// <summary>Adds <paramref name="extra"/> one-way latency to every message to or from <paramref name="node"/>
    /// sent from now on (a congested link).</summary>
    /// <param name="node">The node.</param>
    /// <param name="extra">Extra latency; not negative.</param>
    /// <returns>The undo, restoring the previous extra latency.</returns>
    public SimUndo SpikeLatency(SimNode node, TimeSpan extra)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentOutOfRangeException.ThrowIfLessThan(extra, TimeSpan.Zero);
        SimHost host = HostOf(node);
        long previous = host.LatencySpikeTicks;
        host.LatencySpikeTicks = extra.Ticks;
        string description = $"latency spike {node.Name} +{extra}";
        RecordFault(host, 6, description);
        return new SimUndo(description, () => host.LatencySpikeTicks = previous);
    }

    /// <summary>Heals <paramref name="origin"/>'s circuit ends towards <paramref name="target"/> (all when null):
    /// zero drop and deaf probabilities. With <paramref name="deliverLost"/>, messages lost on those circuits (in
    /// either direction) are put back in flight, oldest first: very late delivery after a partition heals.</summary>
    /// <param name="origin">The node whose ends heal.</param>
    /// <param name="target">The peer, or null for all.</param>
    /// <param name="deliverLost">Re-send lost messages whose connection is still open.</param>
    /// <returns>How many lost messages were re-sent.</returns>
    public int RepairCircuit(SimNode origin, SimNode? target, bool deliverLost)
    {
        ArgumentNullException.ThrowIfNull(origin);
        SimHost host = HostOf(origin);
        SimHost? peer = target is null ? null : HostOf(target);
        bool Matches(SimConnection c) =>
            (ReferenceEquals(c.Host, host) && (peer is null || ReferenceEquals(c.Peer.Host, peer)))
            || (ReferenceEquals(c.Peer.Host, host) && (peer is null || ReferenceEquals(c.Host, peer)));
        foreach (SimConnection connection in host.Connections)
        {
            if (peer is null || ReferenceEquals(connection.Peer.Host, peer))
            {
                connection.DropSendProbability = 0;
                connection.DeafReadProbability = 0;
            }
        }
        RecordFault(host, 7, "repair circuit");
        return deliverLost ? Redeliver(Matches) : 0;
    }

    /// <summary>Heals every circuit of <paramref name="node"/> and its host-level probabilities, optionally
    /// un-isolating it, powering it on, and re-sending what it lost (see <see cref="RepairCircuit"/>).</summary>
    /// <param name="node">The node.</param>
    /// <param name="unisolate">Also end an isolation.</param>
    /// <param name="powerOnIfOff">Also power it on (a fresh process).</param>
    /// <param name="deliverLost">Re-send lost messages of its open connections.</param>
    /// <returns>How many lost messages were re-sent.</returns>
    public int RepairHost(SimNode node, bool unisolate, bool powerOnIfOff, bool deliverLost)
    {
        ArgumentNullException.ThrowIfNull(node);
        SimHost host = HostOf(node);
        host.DropSendProbability = 0;
        host.DeafReadProbability = 0;
        if (unisolate)
        {
            host.Isolated = false;
        }
        if (powerOnIfOff && !node.IsPoweredOn)
        {
            PowerOn(node);
        }
        return RepairCircuit(node, null, deliverLost);
    }

    /// <summary>Heals every node (probabilities, isolation, partitions; duplication, reordering and spikes too) and
    /// optionally powers them on and re-sends all lost messages of open connections.</summary>
    /// <param name="powerOnIfOff">Also power on every node that is off.</param>
    /// <param name="deliverLost">Re-send lost messages.</param>
    /// <returns>How many lost messages were re-sent.</returns>
    public int AllHealthy(bool powerOnIfOff, bool deliverLost)
    {
        int resent = 0;
        HealPartitions();
        foreach (SimNode node in _simulation.Nodes)
        {
            SimHost host = HostOf(node);
            host.DuplicateProbability = 0;
            host.ReorderProbability = 0;
            host.LatencySpikeTicks = 0;
            resent += RepairHost(node, unisolate: true, powerOnIfOff, deliverLost: false);
        }
        return resent + (deliverLost ? Redeliver(static _ => true) : 0);
    }

    private int Redeliver(Func<SimConnection, bool> matches)
    {
        var chosen = new List<SimMessage>();
        foreach (SimHost? host in _hosts)
        {
            if (host is null)
            {
                continue;
            }
            Take(host.LostSends, matches, chosen);
            Take(host.DeafReads, matches, chosen);
        }
        chosen.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        foreach (SimMessage message in chosen)
        {
            SimConnection origin = message.Origin;
            origin.IsStalled = false;
            origin.StallReset?.Cancel();
            origin.StallReset = null;
        }
        int resent = 0;
        foreach (SimMessage message in chosen)
        {
            SimConnection origin = message.Origin;
            if (origin.IsClosed || origin.IsGone)
            {
                continue;
            }
            message.LostReason = null;
            origin.Enqueue(message, DrawLatency(origin.Host, origin.Peer.Host), overtake: false);
            resent++;
        }
        return resent;
    }

    private static void Take(LinkedList<SimMessage> queue, Func<SimConnection, bool> matches, List<SimMessage> into)
    {
        LinkedListNode<SimMessage>? node = queue.First;
        while (node is not null)
        {
            LinkedListNode<SimMessage>? next = node.Next;
            if (matches(node.Value.Origin))
            {
                into.Add(node.Value);
                queue.Remove(node);
            }
            node = next;
        }
    }

    private SimUndo SetIsolated(SimNode node, bool isolated)
    {
        ArgumentNullException.ThrowIfNull(node);
        SimHost host = HostOf(node);
        bool previous = host.Isolated;
        host.Isolated = isolated;
        string description = (isolated ? "isolate " : "unisolate ") + node.Name;
        RecordFault(host, isolated ? 8 : 9, description);
        return new SimUndo(description, () => host.Isolated = previous);
    }

    private SimUndo SetHostProbability(SimNode node, double probability, string name, int code,
        Func<SimHost, double> read, Action<SimHost, double> write)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (double.IsNaN(probability) || probability < 0 || probability > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A probability must be in [0, 1].");
        }
        SimHost host = HostOf(node);
        double previous = read(host);
        write(host, probability);
        string description = $"{name} {node.Name} p={probability}";
        RecordFault(host, code, description);
        return new SimUndo(description, () => write(host, previous));
    }

    private static void Apply(SimConnection connection, DropDeafSpec spec)
    {
        connection.DropSendProbability = spec.DropSendProbability ?? connection.DropSendProbability;
        connection.DeafReadProbability = spec.DeafReadProbability ?? connection.DeafReadProbability;
    }

    private void RecordFault(SimHost host, int code, string description)
    {
        SimNetLog.FaultApplied(_simulation.Logger, _simulation.Elapsed, host.Node.Id, description);
        Record(host, TraceKind.Fault, code, description);
    }
}
