using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// A randomized cluster run driven by one seed: 3–7 nodes on a network that delays, drops, duplicates and reorders
/// messages and partitions nodes; crashes that lose everything not persisted; membership changes, compaction and
/// leadership transfers mid-run; clients writing and reading a KV store. Safety is checked on every tick; after a
/// bounded fault phase the cluster is healed and must converge within a tick budget; then the client history must be
/// linearizable. Everything random comes from the seed, so a failing seed replays exactly.
/// </summary>
internal sealed partial class ClusterSimulation
{
    private readonly SimulationSettings settings;
    private readonly Random random;
    private readonly SimNode[] hosts;
    private readonly SimClient[] clients;
    private readonly bool[] slowClock;
    private readonly SafetyChecker safety = new();
    private readonly List<Operation> history = [];
    private readonly PriorityQueue<RaftMessage, (long Tick, long Sequence)> network = new();
    private readonly bool[,] blocked;
    private long messageSequence;
    private long tick;
    private long eventClock;
    private long partitionEndsAt;

    /// <summary>Clients probe for stale reads until this tick (see <see cref="SimulationSettings.StaleReadProbes"/>).
    /// </summary>
    private long probeUntil;

    /// <summary>The leader that the last partition cut off from the others (0 if it cut off no leader).</summary>
    private ulong staleLeader;

    /// <summary>The cut-off leader's clock runs slow until the partition heals.</summary>
    private bool staleLeaderSlow;

    /// <summary>The key of the last write a client saw complete (-1 before the first).</summary>
    private int lastWrittenKey = -1;

    /// <summary>Lease reads asked of a leader: request id to the tick they were asked.</summary>
    private readonly Dictionary<ulong, long> leaseReads = [];
    private ulong nextRequestId;
    private long nextValue;
    private int incarnations;
    private ulong traceHash = 14695981039346656037UL;
    private long messagesDelivered;
    private int writesCompleted;
    private int writesUnknown;
    private int readsCompleted;
    private int membershipChanges;
    private int compactions;
    private int snapshotsInstalled;
    private int crashes;
    private int pauses;
    private bool faults = true;

    public ClusterSimulation(SimulationSettings settings)
    {
        this.settings = settings;
        random = new Random(settings.Seed);
        blocked = new bool[settings.NodeCount + 1, settings.NodeCount + 1];
        hosts = new SimNode[settings.NodeCount];
        slowClock = new bool[settings.NodeCount];
        for (int i = 0; i < settings.NodeCount; i++)
        {
            ulong id = (ulong)(i + 1);
            hosts[i] = new SimNode(id, Options(id));
            slowClock[i] = random.Next(3) == 0;
        }

        // Probe clients (the last ProbeClients) only read, and only while probing for stale reads.
        clients = Enumerable.Range(0, settings.Clients + settings.ProbeClients)
            .Select(c => new SimClient(c) { Target = 1 }).ToArray();
    }

    /// <summary>The fault-free, client-free steady state used by the benchmark: nodes only, no drops.</summary>
    public IReadOnlyList<SimNode> Hosts => hosts;

    public SafetyChecker Safety => safety;

    /// <summary>When set, every delivered message and batch is recorded here (for debugging a failing seed).</summary>
    public List<string>? Trace { get; set; }

    public SimulationResult Run()
    {
        string? failure = null;
        try
        {
            for (int i = 0; i < settings.SafetyTicks; i++)
            {
                Step();
            }

            Heal();
            bool converged = false;
            for (int i = 0; i < settings.LivenessTicksMax && !converged; i++)
            {
                Step();
                converged = Converged();
            }

            if (!converged)
            {
                failure = $"no convergence within {settings.LivenessTicksMax} healed ticks: {Describe()}";
            }
            else
            {
                var verdict = LinearizabilityChecker.Check(history);
                if (verdict != LinearizabilityChecker.Verdict.Linearizable)
                {
                    failure = $"history of {history.Count} operations is {verdict}";
                }
            }
        }
        catch (Exception e) when (e is SafetyViolationException or RaftInvariantException)
        {
            failure = $"{e.GetType().Name} at tick {tick}: {e.Message}";
        }

        return new SimulationResult
        {
            Settings = settings, Failure = failure, TraceHash = traceHash, Ticks = tick,
            MessagesDelivered = messagesDelivered, LeadersElected = CountLeaders(), WritesCompleted = writesCompleted,
            WritesUnknown = writesUnknown, ReadsCompleted = readsCompleted, MembershipChanges = membershipChanges,
            Compactions = compactions, SnapshotsInstalled = snapshotsInstalled, Crashes = crashes, Pauses = pauses,
            CommittedEntries = safety.Applied.Count,
        };
    }

    public static SimulationResult RunSeed(int seed) => new ClusterSimulation(SimulationSettings.FromSeed(seed)).Run();

    private int leadersSeen;
    private readonly HashSet<long> termsWithLeader = [];

    private int CountLeaders() => leadersSeen;

    private RaftOptions Options(ulong id)
    {
        var initial = new Membership(
            Enumerable.Range(1, settings.InitialVoters).Select(v => (ulong)v), [], 0, 1);
        return new RaftOptions
        {
            NodeId = id,
            Random = new Random(unchecked((settings.Seed * 1_000_003) + ((int)id * 7_919) + (incarnations++ * 31))),
            ElectionTimeoutTicks = settings.ElectionTimeoutTicks,
            HeartbeatTicks = settings.HeartbeatTicks,
            LeaseDriftTicks = settings.LeaseDriftTicks,
            EntriesPerMessageMax = settings.EntriesPerMessageMax,
            InflightMessagesMax = settings.InflightMessagesMax,
            SnapshotChunkBytes = settings.SnapshotChunkBytes,
            UncommittedEntriesMax = 200,
            InitialMembership = id <= (ulong)settings.InitialVoters ? initial : Membership.Empty,
            HostClock = () => hosts[id - 1].ClockTicks,
            DeferCommitNotices = settings.DeferCommitNotices,
        };
    }

    private void Step()
    {
        tick++;
        if (faults)
        {
            InjectPartitions();
        }

        RestartDue();
        SendOwedCommitNotices();
        Deliver();
        TickNodes();
        DriveClients();
        if (faults)
        {
            InjectCrash();
            AdminActions();
        }

        ProcessReadies();
        safety.CheckLeaders(hosts);
        foreach (var host in hosts)
        {
            if (host.Alive && host.Node.Role == RaftRole.Leader && termsWithLeader.Add(host.Node.Term))
            {
                leadersSeen++;
            }
        }
    }

    private void Heal()
    {
        faults = false;
        Array.Clear(blocked);
        foreach (var host in hosts)
        {
            if (!host.Alive)
            {
                host.RestartAt = tick;
            }

            host.PausedUntil = Math.Min(host.PausedUntil, tick);
        }
    }

    private bool Converged()
    {
        if (clients.Any(c => c.Current is not null))
        {
            return false;
        }

        var leader = hosts.FirstOrDefault(h => h.Alive && h.Node.Role == RaftRole.Leader);
        if (leader is null || leader.Node.Log.TryTerm(leader.Node.CommitIndex) != leader.Node.Term)
        {
            return false;
        }

        long commit = leader.Node.CommitIndex;
        if (leader.Node.LastIndex != commit)
        {
            return false;
        }

        foreach (ulong member in leader.Node.Membership.Members())
        {
            var host = hosts[member - 1];
            if (!host.Alive || host.Applied != commit || host.Node.CommitIndex != commit)
            {
                return false;
            }
        }

        return true;
    }

    private string Describe() => string.Join("; ", hosts.Select(h =>
        $"{h.Id}:{(h.Alive ? "up" : "down")} {h.Node.Role} t{h.Node.Term} last{h.Node.LastIndex} " +
        $"commit{h.Node.CommitIndex} applied{h.Applied} snap{h.Node.SnapshotIndex} lead{h.Node.LeaderId} " +
        $"{h.Node.Membership} {h.Node.DescribeProgress()}"));

    private void Mix(long value)
    {
        traceHash = (traceHash ^ (ulong)value) * 1099511628211UL;
    }
}
