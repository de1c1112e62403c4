namespace Rpc25519.Tube.Diagnostics;

/// <summary>One replica's state as its host loop last published it for the gauges. The loop writes, a listener's
/// collection reads from another thread: each value is a single 64-bit field read and written whole.</summary>
internal sealed class ReplicaGauges(ulong nodeId)
{
    private long appliedIndex;
    private long term;
    private long isLeader;
    private long sessions;
    private long leases;

    /// <summary>The <c>tube.node</c> tag of every measurement of this replica.</summary>
    public KeyValuePair<string, object?> NodeTag { get; } = new("tube.node", nodeId.ToString(
        System.Globalization.CultureInfo.InvariantCulture));

    public long AppliedIndex => Volatile.Read(ref appliedIndex);

    public long Term => Volatile.Read(ref term);

    public long IsLeader => Volatile.Read(ref isLeader);

    public long Sessions => Volatile.Read(ref sessions);

    public long Leases => Volatile.Read(ref leases);

    /// <summary>Called by the host loop, which owns the values.</summary>
    public void Publish(long applied, long currentTerm, bool leader, long openSessions, long leasedKeys)
    {
        Volatile.Write(ref appliedIndex, applied);
        Volatile.Write(ref term, currentTerm);
        Volatile.Write(ref isLeader, leader ? 1 : 0);
        Volatile.Write(ref sessions, openSessions);
        Volatile.Write(ref leases, leasedKeys);
    }
}
