namespace Rpc25519.Tube.Tests.Harness;

/// <summary>What one run did, and why it failed if it did. Replaying the seed gives the same trace hash.</summary>
internal sealed record SimulationResult
{
    public required SimulationSettings Settings { get; init; }

    public string? Failure { get; init; }

    public bool Passed => Failure is null;

    public ulong TraceHash { get; init; }

    public long Ticks { get; init; }

    public long MessagesDelivered { get; init; }

    public int LeadersElected { get; init; }

    public int WritesCompleted { get; init; }

    public int WritesUnknown { get; init; }

    public int ReadsCompleted { get; init; }

    public int MembershipChanges { get; init; }

    public int Compactions { get; init; }

    public int SnapshotsInstalled { get; init; }

    public int Crashes { get; init; }

    public long CommittedEntries { get; init; }

    public override string ToString() =>
        $"{(Passed ? "PASS" : "FAIL: " + Failure)} [{Settings}] ticks={Ticks} msgs={MessagesDelivered} " +
        $"leaders={LeadersElected} writes={WritesCompleted}+{WritesUnknown}? reads={ReadsCompleted} " +
        $"reconfigs={MembershipChanges} compactions={Compactions} snapshots={SnapshotsInstalled} crashes={Crashes} " +
        $"committed={CommittedEntries} trace={TraceHash:x16}";
}
