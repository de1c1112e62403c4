namespace Rpc25519.SimNet;

/// <summary>Partitions: groups of nodes that cannot talk across, in both directions or one way.</summary>
public sealed partial class SimNetwork
{
    /// <summary>Blocked directions (from node id, to node id) with how many partitions block each.</summary>
    private readonly SortedDictionary<(int From, int To), int> _blockedLinks = [];

    /// <summary>Counts heals, so that the undo of a partition healed meanwhile does nothing.</summary>
    private long _partitionEpoch;

    /// <summary>Counts every partition change (made, undone, healed).</summary>
    internal long PartitionChanges { get; private set; }

    /// <summary>True when a partition blocks at least one direction between the two nodes.</summary>
    internal bool IsPartitioned(SimNode a, SimNode b) =>
        IsBlocked(HostOf(a), HostOf(b)) || IsBlocked(HostOf(b), HostOf(a));

    /// <summary>
    /// Splits the network into <paramref name="groups"/>: a message between two nodes of different groups is lost
    /// (in flight too, when it arrives), and a dial across fails like a lost SYN. Nodes inside one group, and nodes
    /// named in no group, talk as before. Partitions add up: a direction stays blocked until every partition that
    /// blocks it is undone. Like isolation, a partition survives power cycles.
    /// </summary>
    /// <param name="groups">Two or more disjoint, non-empty groups.</param>
    /// <returns>The undo, removing exactly this partition.</returns>
    /// <exception cref="ArgumentException">Fewer than two groups, an empty group, or a node in two groups.
    /// </exception>
    public SimUndo Partition(params IReadOnlyList<SimNode>[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        CheckGroups(groups);
        var links = new List<(int, int)>();
        for (int g = 0; g < groups.Length; g++)
        {
            for (int h = 0; h < groups.Length; h++)
            {
                if (g != h)
                {
                    AddLinks(groups[g], groups[h], links);
                }
            }
        }
        return Block(links, "partition " + string.Join(" | ", groups.Select(Names)));
    }

    /// <summary>
    /// A one-way partition: messages from <paramref name="from"/> to <paramref name="to"/> are lost, messages the
    /// other way still arrive (a broken transmit path, a one-way firewall rule). A connection needs both directions
    /// to be made, so no dial between the two groups succeeds while this holds; connections made before keep
    /// delivering in the open direction.
    /// </summary>
    /// <param name="from">The senders whose messages are lost.</param>
    /// <param name="to">The receivers that no longer hear them.</param>
    /// <returns>The undo, removing exactly this partition.</returns>
    /// <exception cref="ArgumentException">An empty group, or a node in both.</exception>
    public SimUndo PartitionOneWay(IReadOnlyList<SimNode> from, IReadOnlyList<SimNode> to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        CheckGroups([from, to]);
        var links = new List<(int, int)>();
        AddLinks(from, to, links);
        return Block(links, $"partition one-way {Names(from)} -> {Names(to)}");
    }

    /// <summary>Removes every partition (isolation and other faults stay). <see cref="AllHealthy"/> does this too.
    /// </summary>
    /// <returns>How many blocked directions were opened.</returns>
    public int HealPartitions()
    {
        int opened = _blockedLinks.Count;
        _blockedLinks.Clear();
        _partitionEpoch++;
        PartitionChanges++;
        if (opened > 0)
        {
            RecordFault(HostOf(_simulation.Driver), 11, "heal partitions");
        }
        return opened;
    }

    /// <summary>
    /// True if a message sent now from <paramref name="from"/> to <paramref name="to"/> would get through isolation,
    /// power and partitions (probabilistic drop and deafness aside).
    /// </summary>
    /// <param name="from">The sender.</param>
    /// <param name="to">The receiver.</param>
    public bool CanReach(SimNode from, SimNode to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        SimHost a = HostOf(from);
        SimHost b = HostOf(to);
        return from.IsPoweredOn && to.IsPoweredOn && !a.Isolated && !b.Isolated && !IsBlocked(a, b);
    }

    /// <summary>True when a partition blocks messages from <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal bool IsBlocked(SimHost from, SimHost to) =>
        _blockedLinks.Count > 0 && _blockedLinks.ContainsKey((from.Node.Id, to.Node.Id));

    private SimUndo Block(List<(int From, int To)> links, string description)
    {
        foreach ((int, int) link in links)
        {
            _blockedLinks[link] = _blockedLinks.GetValueOrDefault(link) + 1;
        }
        PartitionChanges++;
        long epoch = _partitionEpoch;
        RecordFault(HostOf(_simulation.Driver), 10, description);
        return new SimUndo(description, () =>
        {
            if (epoch != _partitionEpoch)
            {
                return; // Healed meanwhile: this partition's links are already open.
            }
            foreach ((int, int) link in links)
            {
                int count = _blockedLinks.GetValueOrDefault(link) - 1;
                if (count <= 0)
                {
                    _blockedLinks.Remove(link);
                }
                else
                {
                    _blockedLinks[link] = count;
                }
            }
            PartitionChanges++;
            RecordFault(HostOf(_simulation.Driver), 11, "undo " + description);
        });
    }

    private static void AddLinks(IReadOnlyList<SimNode> from, IReadOnlyList<SimNode> to, List<(int, int)> links)
    {
        foreach (SimNode a in from)
        {
            foreach (SimNode b in to)
            {
                links.Add((a.Id, b.Id));
            }
        }
    }

    private void CheckGroups(IReadOnlyList<SimNode>[] groups)
    {
        if (groups.Length < 2)
        {
            throw new ArgumentException($"A partition needs at least two groups; got {groups.Length}.",
                nameof(groups));
        }
        var seen = new HashSet<int>();
        foreach (IReadOnlyList<SimNode> group in groups)
        {
            if (group is null || group.Count == 0)
            {
                throw new ArgumentException("Every group of a partition needs at least one node.", nameof(groups));
            }
            foreach (SimNode node in group)
            {
                ArgumentNullException.ThrowIfNull(node, nameof(groups));
                HostOf(node);
                if (!seen.Add(node.Id))
                {
                    throw new ArgumentException($"Node '{node.Name}' is in two groups of one partition.",
                        nameof(groups));
                }
            }
        }
    }

    private static string Names(IReadOnlyList<SimNode> group) => string.Join(",", group.Select(n => n.Name));
}
