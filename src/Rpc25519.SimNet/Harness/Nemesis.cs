namespace Rpc25519.SimNet.Harness;

/// <summary>
/// Injects seeded faults into a cluster for a while: isolation, one-way drop or deafness on a circuit, power cycles,
/// clock skew, duplication, reordering, latency spikes, and partitions (a minority cut off both ways or one way),
/// each undone after a seeded duration, with an occasional heal of everything. At most a minority of nodes is damaged at once, so a majority can always make progress.
/// </summary>
internal sealed class Nemesis
{
    private readonly SimCluster _cluster;
    private readonly SimRandom _random;
    private readonly List<ActiveFault> _active = [];

    public Nemesis(SimCluster cluster)
    {
        _cluster = cluster;
        _random = cluster.Simulation.CreateRandom("nemesis");
    }

    public long Injected { get; private set; }

    public long PowerCycles { get; private set; }

    /// <summary>Partitions injected (two-way or one-way).</summary>
    public long Partitions { get; private set; }

    /// <summary>Application boots after a power-off (each power cycle owes exactly one).</summary>
    public long Reboots { get; private set; }

    /// <summary>Runs until virtual time <paramref name="until"/>, then heals everything.</summary>
    public async Task RunAsync(TimeSpan until)
    {
        SimNode driver = _cluster.Simulation.Driver;
        long intervalTicksMax = 2 * _cluster.Options.NemesisIntervalMean.Ticks;
        for (int round = 0; round < 1_000_000 && _cluster.Simulation.Elapsed < until; round++)
        {
            await Task.Delay(TimeSpan.FromTicks(1 + _random.NextInt64(intervalTicksMax)), driver.TimeProvider);
            await ExpireAsync();
            double roll = _random.NextDouble();
            if (roll < 0.3)
            {
                continue;
            }
            if (roll < 0.4)
            {
                await HealAllAsync();
                continue;
            }
            Damage();
        }
        await HealAllAsync();
    }

    private void Damage()
    {
        int nodes = _cluster.Options.Nodes;
        int damagedMax = (nodes - 1) / 2;
        var damaged = new SortedSet<int>(_active.SelectMany(a => a.Damaged));
        int victim = _random.Next(nodes);
        if (!damaged.Contains(victim) && damaged.Count >= damagedMax)
        {
            return;
        }
        SimNode node = _cluster.Nodes[victim];
        SimNode peer = _cluster.Nodes[(victim + 1 + _random.Next(nodes - 1)) % nodes];
        SimNetwork net = _cluster.Network;
        int kind = _random.Next(10);
        var hurt = new List<int> { victim };
        SimUndo? undo = kind switch
        {
            0 => net.Isolate(node),
            1 => net.FaultCircuit(node, peer, new DropDeafSpec(_random.Chance(0.5) ? 1.0 : _random.NextDouble(), null)),
            2 => net.FaultCircuit(node, peer, new DropDeafSpec(null, _random.Chance(0.5) ? 1.0 : _random.NextDouble())),
            3 => PowerOff(node),
            4 => net.SkewClock(node, TimeSpan.FromMilliseconds(_random.Next(-10_000, 10_000)),
                _random.Next(-1000, 1000)),
            5 => net.Duplicate(node, 0.2),
            6 => net.Reorder(node, 0.3),
            7 => net.SpikeLatency(node, TimeSpan.FromMilliseconds(_random.Next(50, 2000))),
            _ => Partition(victim, damaged, damagedMax, hurt, oneWay: kind == 9),
        };
        if (undo is null)
        {
            return;
        }
        Injected++;
        TimeSpan duration = TimeSpan.FromMilliseconds(_random.Next(200, 3000));
        // Only a power-off owes a reboot when it expires. A fault that merely lands on a node that is off at the
        // moment (its power-off still active) must not boot it: that would boot a dead process, or boot it a second
        // time once the power-off's own expiry has booted it.
        _active.Add(new ActiveFault(victim, hurt, undo, _cluster.Simulation.Elapsed + duration,
            WasPowerOff: kind == 3));
    }

    /// <summary>Cuts a minority group (the victim and, room permitting, more undamaged nodes) from the rest, both
    /// ways or one way (either direction).</summary>
    private SimUndo Partition(int victim, SortedSet<int> damaged, int damagedMax, List<int> hurt, bool oneWay)
    {
        int room = damagedMax - damaged.Count - (damaged.Contains(victim) ? 0 : 1);
        int extra = room > 0 ? _random.Next(room + 1) : 0;
        for (int i = 0; i < _cluster.Options.Nodes - 1 && extra > 0; i++)
        {
            int candidate = (victim + 1 + i) % _cluster.Options.Nodes;
            if (!damaged.Contains(candidate) && _random.Chance(0.5))
            {
                hurt.Add(candidate);
                extra--;
            }
        }
        var minority = hurt.Select(i => _cluster.Nodes[i]).ToList();
        var rest = _cluster.Nodes.Where((_, i) => !hurt.Contains(i)).ToList();
        Partitions++;
        if (!oneWay)
        {
            return _cluster.Network.Partition(minority, rest);
        }
        return _random.Chance(0.5)
            ? _cluster.Network.PartitionOneWay(minority, rest)
            : _cluster.Network.PartitionOneWay(rest, minority);
    }

    private SimUndo? PowerOff(SimNode node)
    {
        if (!node.IsPoweredOn)
        {
            return null;
        }
        PowerCycles++;
        return _cluster.Network.PowerOff(node);
    }

    private async Task ExpireAsync()
    {
        TimeSpan now = _cluster.Simulation.Elapsed;
        for (int i = 0; i < _active.Count; i++)
        {
            ActiveFault fault = _active[i];
            if (fault.Until > now)
            {
                continue;
            }
            _active.RemoveAt(i--);
            fault.Undo.Undo();
            if (fault.WasPowerOff)
            {
                await RebootAsync(fault.Node);
            }
        }
    }

    private async Task HealAllAsync()
    {
        var wasOff = new List<int>();
        for (int i = 0; i < _cluster.Nodes.Count; i++)
        {
            if (!_cluster.Nodes[i].IsPoweredOn)
            {
                wasOff.Add(i);
            }
        }
        _active.Clear();
        _cluster.Network.AllHealthy(powerOnIfOff: true, deliverLost: _random.Chance(0.5));
        foreach (SimNode node in _cluster.Nodes)
        {
            _cluster.Network.SkewClock(node, TimeSpan.Zero, 0);
        }
        foreach (int index in wasOff)
        {
            await RebootAsync(index);
        }
    }

    /// <summary>Boots the application of a node that a power-off fault stopped and its expiry powered on again.
    /// </summary>
    private async Task RebootAsync(int index)
    {
        SimNode node = _cluster.Nodes[index];
        if (!node.IsPoweredOn)
        {
            throw new InvalidOperationException($"Nemesis bug: asked to boot {node.Name}, which is still powered " +
                "off (its code would never run).");
        }
        Reboots++;
        await _cluster.NodeApp(index).Boot();
    }

    /// <param name="Node">The node whose fault this is (rebooted after a power-off).</param>
    /// <param name="Damaged">Every node the fault damages (a partition's whole minority side).</param>
    /// <param name="Undo">Undoes the fault.</param>
    /// <param name="Until">Virtual time at which it expires.</param>
    /// <param name="WasPowerOff">The fault is a power-off, so its expiry owes the node a reboot.</param>
    private sealed record ActiveFault(int Node, IReadOnlyList<int> Damaged, SimUndo Undo, TimeSpan Until,
        bool WasPowerOff);
}
