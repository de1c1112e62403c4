namespace Rpc25519.Tube.Diagnostics;

/// <summary>
/// The name to listen to for Tube's metrics: a <see cref="System.Diagnostics.Metrics.Meter"/> called
/// <see cref="MeterName"/> (<c>dotnet-counters monitor --counters Rpc25519.Tube</c>, OpenTelemetry's
/// <c>AddMeter("Rpc25519.Tube")</c>, or <c>tube -metrics</c>). Instruments, each replica's tagged <c>tube.node</c>
/// (its node id) so that several replicas in one process stay apart:
/// <list type="bullet">
/// <item><c>tube.commit.duration</c> (s): on the leader, from a client command's proposal to its apply</item>
/// <item><c>tube.wal.fsync.duration</c> (s) and <c>tube.wal.batch.records</c> ({record}): each group-commit batch of
/// the write-ahead log, its closing fsync and how many records it made durable (no node tag: storage is below the
/// replica)</item>
/// <item><c>tube.leader.changes</c> ({change}): times this replica saw a new leader (itself included)</item>
/// <item><c>tube.applied.index</c> ({entry}), <c>tube.term</c>, <c>tube.leader</c> (1 on the leader, else 0),
/// <c>tube.sessions</c> ({session}, open client sessions) and <c>tube.leases</c> ({lease}, keys under a lease):
/// gauges, as the host loop last saw them (refreshed every tick while someone listens)</item>
/// </list>
/// With nobody listening, each costs the host loop a branch.
/// </summary>
public static class TubeDiagnostics
{
    /// <summary>The name of Tube's meter.</summary>
    public const string MeterName = "Rpc25519.Tube";
}
