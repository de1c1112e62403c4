namespace Rpc25519.Tube.Tests.Integration;

/// <summary>The outcome of one seed of <see cref="SimKvSoak"/>.</summary>
internal sealed record SimKvSoakResult(
    ulong Seed, bool Passed, string? Failure, int Writes, int WritesUnknown, int Reads, int Faults, int AdminDone,
    ulong TraceHash)
{
    public int Pauses { get; init; }

    public int Corruptions { get; init; }

    public int Rebuilds { get; init; }

    public int WatchEvents { get; init; }

    public int WatchResumes { get; init; }

    public override string ToString() =>
        $"seed {Seed}: {(Passed ? "ok" : "FAILED")} writes={Writes}+{WritesUnknown}? reads={Reads} faults={Faults} admin={AdminDone} " +
        $"pauses={Pauses} corruptions={Corruptions} rebuilds={Rebuilds} " +
        $"watch-events={WatchEvents} watch-resumes={WatchResumes} " +
        $"trace={TraceHash:x16}{(Failure is null ? "" : " :: " + Failure)}";
}
