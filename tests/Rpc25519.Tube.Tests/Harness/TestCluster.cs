using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// A hand-driven cluster for scenario tests and benchmarks: messages wait in one queue until the test delivers them,
/// links can be cut, and every loop is bounded. Hosts follow the Ready contract (persist, send, apply, advance).
/// </summary>
internal sealed class TestCluster
{
    private readonly Action<RaftOptions>? configure;
    private readonly int seed;
    private readonly HashSet<(ulong From, ulong To)> cut = [];
    private int incarnation;

    public TestCluster(int voters, int extraNodes = 0, Action<RaftOptions>? configure = null, int seed = 1)
    {
        this.configure = configure;
        this.seed = seed;
        var initial = new Membership(Enumerable.Range(1, voters).Select(v => (ulong)v), [], 0, 1);
        Initial = initial;
        Hosts = Enumerable.Range(1, voters + extraNodes)
            .Select(i => new SimNode((ulong)i, Options((ulong)i)))
            .ToArray();
        Applied = Hosts.Select(_ => new List<LogEntry>()).ToArray();
    }

    public Membership Initial { get; }

    public SimNode[] Hosts { get; }

    /// <summary>Entries applied by each host (index id - 1), in order.</summary>
    public List<LogEntry>[] Applied { get; }

    /// <summary>Messages sent and not yet delivered, in send order.</summary>
    public List<RaftMessage> Pending { get; } = [];

    /// <summary>Record every message in <see cref="Sent"/> (off for benchmarks).</summary>
    public bool RecordSent { get; set; } = true;

    /// <summary>Every message sent so far (for assertions on traffic).</summary>
    public List<RaftMessage> Sent { get; } = [];

    /// <summary>A standing delivery filter: messages it rejects are dropped.</summary>
    public Func<RaftMessage, bool>? Filter { get; set; }

    public List<ReadState>[] ReadStates => readStates ??= Hosts.Select(_ => new List<ReadState>()).ToArray();

    private List<ReadState>[]? readStates;

    public RaftNode Node(ulong id) => Hosts[id - 1].Node;

    public RaftOptions Options(ulong id)
    {
        var options = new RaftOptions
        {
            NodeId = id,
            Random = new Random(unchecked((seed * 1_000_003) + ((int)id * 7_919) + (incarnation++ * 31))),
            InitialMembership = Initial is null || id > (ulong)Initial.Voters.Count ? Membership.Empty : Initial,
            HostClock = () => Hosts[id - 1].ClockTicks,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Cuts both directions between two nodes.</summary>
    public void Cut(ulong a, ulong b)
    {
        cut.Add((a, b));
        cut.Add((b, a));
    }

    /// <summary>Cuts a node off from everyone.</summary>
    public void Isolate(ulong id)
    {
        foreach (var host in Hosts)
        {
            if (host.Id != id)
            {
                Cut(id, host.Id);
            }
        }
    }

    public void Heal() => cut.Clear();

    /// <summary>Processes every host's Ready once; returns true if any had work.</summary>
    public bool Process()
    {
        bool any = false;
        foreach (var host in Hosts)
        {
            if (host.Alive && host.Node.HasReady())
            {
                ProcessReady(host);
                any = true;
            }
        }

        return any;
    }

    private void ProcessReady(SimNode host)
    {
        var ready = host.Node.GetReady();
        host.Storage.Persist(ready);
        Pending.AddRange(ready.Messages);
        if (RecordSent)
        {
            Sent.AddRange(ready.Messages);
        }

        if (ready.Snapshot is { } snapshot)
        {
            host.Applied = snapshot.Index;
        }

        foreach (var entry in ready.CommittedEntries)
        {
            if (entry.Index != host.Applied + 1)
            {
                throw new InvalidOperationException($"node {host.Id} applies {entry.Index} after {host.Applied}");
            }

            host.Applied = entry.Index;
            Applied[host.Id - 1].Add(entry);
        }

        ReadStates[host.Id - 1].AddRange(ready.ReadStates);
        host.Node.Advance(ready);
    }

    /// <summary>Delivers the messages pending now (not those they cause); returns how many arrived.</summary>
    public int DeliverAll(Func<RaftMessage, bool>? filter = null)
    {
        var batch = Pending.ToArray();
        Pending.Clear();
        int delivered = 0;
        foreach (var message in batch)
        {
            var target = Hosts[message.To - 1];
            if (!target.Alive || cut.Contains((message.From, message.To)) || (filter is not null && !filter(message))
                || (Filter is not null && !Filter(message)))
            {
                continue;
            }

            target.Node.Step(message);
            delivered++;
        }

        return delivered;
    }

    /// <summary>Processes and delivers until quiet; returns the number of delivery rounds (bounded).</summary>
    public int Stabilize(int roundsMax = 1_000)
    {
        for (int round = 0; round < roundsMax; round++)
        {
            bool worked = Process();
            if (!worked && Pending.Count == 0)
            {
                return round;
            }

            DeliverAll();
        }

        throw new InvalidOperationException($"no quiet state within {roundsMax} rounds");
    }

    /// <summary>Ticks every live node once, then stabilizes.</summary>
    public void TickAll(int ticks = 1)
    {
        for (int i = 0; i < ticks; i++)
        {
            foreach (var host in Hosts)
            {
                if (host.Alive)
                {
                    host.ClockTicks++;
                    host.Node.Tick();
                }
            }

            Stabilize();
        }
    }

    /// <summary>Ticks until some node leads (bounded); returns its id.</summary>
    public ulong ElectLeader(int ticksMax = 500)
    {
        for (int i = 0; i < ticksMax; i++)
        {
            var leader = Hosts.FirstOrDefault(h => h.Alive && h.Node.Role == RaftRole.Leader
                && h.Node.Log.TryTerm(h.Node.CommitIndex) == h.Node.Term);
            if (leader is not null)
            {
                return leader.Id;
            }

            TickAll();
        }

        throw new InvalidOperationException($"no leader within {ticksMax} ticks");
    }

    /// <summary>
    /// Elects a leader while every acknowledgement is lost, so its no-op cannot commit. Leaves <see cref="Filter"/>
    /// set; clear it to let the term's first commit happen.
    /// </summary>
    public RaftNode ElectLeaderThatCannotCommit()
    {
        Filter = m => m.Type is not (RaftMessageType.AppendResponse or RaftMessageType.HeartbeatResponse);
        for (int tick = 0; tick < 300; tick++)
        {
            TickAll();
            if (Hosts.FirstOrDefault(h => h.Node.Role == RaftRole.Leader) is { } leader)
            {
                return leader.Node;
            }
        }

        throw new InvalidOperationException("no leader within 300 ticks");
    }

    /// <summary>A follower of <paramref name="leader"/> in a cluster of at least two (the lowest other id).</summary>
    public static ulong FollowerOf(ulong leader) => leader == 1 ? 2UL : 1UL;

    /// <summary>Cuts off one follower, then commits <paramref name="count"/> commands without it; returns its
    /// id.</summary>
    public ulong IsolateFollowerAndPropose(ulong leader, int count)
    {
        ulong lagging = leader == 3 ? 2UL : 3UL;
        Isolate(lagging);
        for (int i = 0; i < count; i++)
        {
            Propose(leader, i);
        }

        Stabilize();
        return lagging;
    }

    /// <summary>A lone node of a three-voter configuration, for tests that drive one node by hand.</summary>
    public static RaftNode LoneNode(ulong id = 1, int seed = 1) => new(new RaftOptions
    {
        NodeId = id, Random = new Random(seed), InitialMembership = new Membership([1, 2, 3], [], 0, 1),
    });

    /// <summary>Proposes a command on the given node and returns the result.</summary>
    public ProposeResult Propose(ulong id, int value) => Node(id).Propose(BitConverter.GetBytes(value));

    public void Crash(ulong id) => Hosts[id - 1].Crash(long.MaxValue);

    public void Restart(ulong id)
    {
        Hosts[id - 1].Restart(Options(id));
        Applied[id - 1].Clear();
    }
}
