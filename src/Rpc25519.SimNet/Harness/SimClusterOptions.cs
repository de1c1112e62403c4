namespace Rpc25519.SimNet.Harness;

/// <summary>Settings of a <see cref="SimCluster"/> run. Validated once by the cluster's constructor.</summary>
/// <remarks>Not thread-safe while being edited.</remarks>
public sealed class SimClusterOptions
{
    /// <summary>The seed of the whole run. Default 0.</summary>
    public ulong Seed { get; set; }

    /// <summary>Nodes, each running an RPC server and a client to every other node. Default 7; at least 2.</summary>
    public int Nodes { get; set; } = 7;

    /// <summary>Virtual duration of the safety phase (workload plus nemesis). Default 10 s; positive.</summary>
    public TimeSpan SafetyDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Mean pause between two calls of one node's workload (drawn uniformly in [0, 2 × mean]).
    /// Default 20 ms; positive.</summary>
    public TimeSpan ThinkTimeMean { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Call and connect timeout of every client. Default 2 s; positive.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Inject faults during the safety phase. Default true.</summary>
    public bool Nemesis { get; set; } = true;

    /// <summary>Mean pause between two nemesis actions. Default 300 ms; positive.</summary>
    public TimeSpan NemesisIntervalMean { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Virtual time the healed cluster gets to answer one call between every pair of nodes.
    /// Default 30 s; positive.</summary>
    public TimeSpan LivenessBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of payload per call. Default 32; at least 16.</summary>
    public int PayloadBytes { get; set; } = 32;

    /// <summary>Executor schedule. Default <see cref="SimNet.ScheduleMode.Fifo"/>.</summary>
    public ScheduleMode ScheduleMode { get; set; } = ScheduleMode.Fifo;

    /// <summary>Trace events kept for event-by-event comparison (see <see cref="SimulationOptions.KeptEventsMax"/>).
    /// Default 0.</summary>
    public int KeptEventsMax { get; set; }

    /// <summary>Steps between two <see cref="Simulation.Checkpoint"/> events. Default 0 (none).</summary>
    public long CheckpointInterval { get; set; }

    /// <summary>Escape checks of the run (see <see cref="SimulationOptions.EscapeChecks"/>). Default
    /// <see cref="SimNet.EscapeChecks.Default"/>; in a process of its own (the runner's <c>sweep</c>), use
    /// <see cref="SimNet.EscapeChecks.All"/>.</summary>
    public EscapeChecks EscapeChecks { get; set; } = EscapeChecks.Default;

    /// <summary>Network settings; null for the defaults.</summary>
    public SimNetworkOptions? Network { get; set; }

    internal void Validate()
    {
        if (Nodes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(Nodes), Nodes, "A cluster needs at least 2 nodes.");
        }
        if (SafetyDuration <= TimeSpan.Zero || ThinkTimeMean <= TimeSpan.Zero || CallTimeout <= TimeSpan.Zero
            || NemesisIntervalMean <= TimeSpan.Zero || LivenessBudget <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SafetyDuration),
                "SafetyDuration, ThinkTimeMean, CallTimeout, NemesisIntervalMean and LivenessBudget must be positive.");
        }
        if (PayloadBytes < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(PayloadBytes), PayloadBytes, "PayloadBytes must be >= 16.");
        }
    }
}
