namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// Every knob of one randomized run, all derived from the seed (swarm testing: the fault mix itself varies).
/// Units: ticks are simulation steps; rates are probabilities per message or per tick.
/// </summary>
internal sealed record SimulationSettings
{
    public int Seed { get; init; }

    /// <summary>Nodes that exist (3..7); the first <see cref="InitialVoters"/> form the initial
    /// configuration.</summary>
    public int NodeCount { get; init; } = 3;

    public int InitialVoters { get; init; } = 3;

    public int ElectionTimeoutTicks { get; init; } = 12;

    public int HeartbeatTicks { get; init; } = 2;

    public int LeaseDriftTicks { get; init; } = 3;

    /// <summary>Message delay in ticks is uniform in [1, DelayTicksMax]; different delays reorder messages.</summary>
    public int DelayTicksMax { get; init; } = 3;

    public double DropRate { get; init; }

    public double DuplicateRate { get; init; }

    /// <summary>Chance per tick that a partition starts (if none is active); it lasts 5..60 ticks.</summary>
    public double PartitionRate { get; init; }

    /// <summary>Chance per tick that one live node crashes (losing unpersisted state); it is down 5..80
    /// ticks.</summary>
    public double CrashRate { get; init; }

    /// <summary>Chance per tick of a single-server membership change request to the leader.</summary>
    public double MembershipRate { get; init; }

    /// <summary>Chance per tick that one live node compacts its log to its applied index.</summary>
    public double CompactionRate { get; init; }

    /// <summary>Chance per tick of a leadership transfer request.</summary>
    public double TransferRate { get; init; }

    public int Clients { get; init; } = 3;

    public int Keys { get; init; } = 2;

    /// <summary>Chance per tick that an idle client starts an operation.</summary>
    public double ClientRate { get; init; } = 0.3;

    /// <summary>Fraction of reads that ask for a lease read instead of ReadIndex.</summary>
    public double LeaseReadFraction { get; init; } = 0.5;

    public int OperationTimeoutTicks { get; init; } = 60;

    /// <summary>Ticks of the fault phase.</summary>
    public int SafetyTicks { get; init; } = 1_500;

    /// <summary>Tick budget of the healed phase: the cluster must converge within it.</summary>
    public int LivenessTicksMax { get; init; } = 800;

    /// <summary>Snapshot chunk size (small, so snapshots travel in several chunks).</summary>
    public int SnapshotChunkBytes { get; init; } = 24;

    public int EntriesPerMessageMax { get; init; } = 8;

    public int InflightMessagesMax { get; init; } = 4;

    /// <summary>The host replays a resumed node's missed ticks before it delivers it any message (the host
    /// contract). Off only to show what breaking the contract does.</summary>
    public bool TickCatchUpBeforeMessages { get; init; } = true;

    /// <summary>The host clock given to the core (<c>RaftOptions.HostClock</c>) counts time spent paused. Off only to
    /// model a host whose clock stands still during a pause, so that the core cannot see the ticks it is owed.
    /// </summary>
    public bool HostClockCountsPauses { get; init; } = true;

    /// <summary>Derives a whole fault mix from one seed.</summary>
    public static SimulationSettings FromSeed(int seed)
    {
        var random = new Random(seed);
        int nodes = random.Next(3, 8);
        return new SimulationSettings
        {
            Seed = seed,
            NodeCount = nodes,
            InitialVoters = Math.Min(nodes, random.Next(0, 2) == 0 ? 3 : 5),
            DelayTicksMax = random.Next(1, 6),
            DropRate = random.NextDouble() * 0.15,
            DuplicateRate = random.NextDouble() * 0.08,
            PartitionRate = random.NextDouble() * 0.04,
            CrashRate = random.NextDouble() * 0.01,
            MembershipRate = random.NextDouble() * 0.03,
            CompactionRate = random.NextDouble() * 0.03,
            TransferRate = random.NextDouble() * 0.005,
            Clients = random.Next(2, 7),
            Keys = random.Next(1, 4),
            LeaseReadFraction = random.NextDouble(),
            EntriesPerMessageMax = random.Next(1, 9),
            InflightMessagesMax = random.Next(1, 9),
            SnapshotChunkBytes = random.Next(8, 64),
        };
    }

    public override string ToString() =>
        $"seed={Seed} nodes={NodeCount} voters={InitialVoters} delay<={DelayTicksMax} drop={DropRate:F3} " +
        $"dup={DuplicateRate:F3} partition={PartitionRate:F3} crash={CrashRate:F3} membership={MembershipRate:F3} " +
        $"compact={CompactionRate:F3} transfer={TransferRate:F4} clients={Clients} keys={Keys} " +
        $"batch={EntriesPerMessageMax} window={InflightMessagesMax} chunk={SnapshotChunkBytes}";
}
