namespace Rpc25519.Tube.Raft;

/// <summary>
/// What a host reloads from its storage to restart a node: everything it persisted from earlier
/// <see cref="Ready"/> batches. The node takes the lists as they are and copies them; the host keeps ownership.
/// </summary>
public sealed class RaftPersistentState
{
    /// <summary>The last persisted hard state.</summary>
    public HardState HardState { get; init; }

    /// <summary>The last persisted configuration.</summary>
    public Membership Membership { get; init; } = Membership.Empty;

    /// <summary>The last persisted snapshot, or null if none. The host must have restored its state machine from
    /// it.</summary>
    public RaftSnapshot? Snapshot { get; init; }

    /// <summary>The persisted entries after the snapshot, contiguous and in index order.</summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = [];
}
