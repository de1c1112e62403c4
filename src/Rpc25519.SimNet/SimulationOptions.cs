namespace Rpc25519.SimNet;

/// <summary>Settings of one simulation run. Validated once by <see cref="Simulation"/>'s constructor.</summary>
/// <remarks>Not thread-safe while being edited; the simulation copies what it needs.</remarks>
public sealed class SimulationOptions
{
    /// <summary>The seed that fixes the whole run: schedule, network, faults, workload and node randomness. Default 0.
    /// </summary>
    public ulong Seed { get; set; }

    /// <summary>How the executor picks the next ready item. Default <see cref="ScheduleMode.Fifo"/>.</summary>
    public ScheduleMode ScheduleMode { get; set; } = ScheduleMode.Fifo;

    /// <summary>Work items one <see cref="Simulation.Run"/> call may execute before it fails. Default 100,000,000;
    /// must be positive.</summary>
    public long StepsMax { get; set; } = 100_000_000;

    /// <summary>Virtual time (since the start of the simulation) past which a run fails. Default 1 day; must be
    /// positive.</summary>
    public TimeSpan VirtualTimeMax { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Ready work items that may wait at once before the run fails. Default 10,000,000; must be positive.
    /// </summary>
    public int ReadyItemsMax { get; set; } = 10_000_000;

    /// <summary>Which escape checks run. Default <see cref="EscapeChecks.Default"/> (real timers at idle points, and
    /// simulation code running on foreign threads); posts from foreign threads are always detected.</summary>
    public EscapeChecks EscapeChecks { get; set; } = EscapeChecks.Default;

    /// <summary>Run the escape checks at one idle point in this many (they take locks). Default 64; at least 1.
    /// The end of a run is always checked.</summary>
    public int EscapeCheckInterval { get; set; } = 64;

    /// <summary>Trace events kept for failure reports. Default 32; at least 1.</summary>
    public int RecentEventsMax { get; set; } = 32;

    /// <summary>Trace events kept from the start of the run (see <see cref="Simulation.KeptEvents"/>) so that two runs
    /// can be compared event by event with <see cref="TraceComparison.FirstDifference"/>. Default 0 (none); the
    /// hash covers every event either way.</summary>
    public int KeptEventsMax { get; set; }

    /// <summary>Steps between two <see cref="Simulation.Checkpoint"/> events (for online lock-step comparison of two
    /// runs). Default 0 (none); not negative.</summary>
    public long CheckpointInterval { get; set; }

    /// <summary>Logging of runs, faults and limits (SimNet event ids 400–499). Default
    /// <see cref="Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance"/>; not null.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; set; } =
        Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(LoggerFactory);
        ArgumentOutOfRangeException.ThrowIfNegative(CheckpointInterval);
        if (KeptEventsMax < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(KeptEventsMax), KeptEventsMax, "KeptEventsMax must be >= 0.");
        }
        if (StepsMax <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StepsMax), StepsMax, "StepsMax must be positive.");
        }
        if (VirtualTimeMax <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(VirtualTimeMax), VirtualTimeMax,
                "VirtualTimeMax must be positive.");
        }
        if (ReadyItemsMax <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ReadyItemsMax), ReadyItemsMax,
                "ReadyItemsMax must be positive.");
        }
        if (EscapeCheckInterval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EscapeCheckInterval), EscapeCheckInterval,
                "EscapeCheckInterval must be at least 1.");
        }
        if (RecentEventsMax < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RecentEventsMax), RecentEventsMax,
                "RecentEventsMax must be at least 1.");
        }
    }
}
