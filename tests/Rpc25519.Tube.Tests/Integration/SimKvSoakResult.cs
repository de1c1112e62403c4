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

    /// <summary>Acknowledged writes, swaps and deletes of the register keys (included in <see cref="Writes"/>; the
    /// watchers do not follow them).</summary>
    public int RegisterWrites { get; init; }

    public int Swaps { get; init; }

    public int SwapsRefused { get; init; }

    public int Deletes { get; init; }

    public int LeaseRefusals { get; init; }

    /// <summary>Acknowledged transfers of the bank ledger, and those it refused for insufficient funds.</summary>
    public int LedgerTransfers { get; init; }

    public int LedgerRefusals { get; init; }

    public override string ToString() =>
        $"seed {Seed}: {(Passed ? "ok" : "FAILED")} writes={Writes}+{WritesUnknown}? reads={Reads} faults={Faults} admin={AdminDone} " +
        $"pauses={Pauses} corruptions={Corruptions} rebuilds={Rebuilds} " +
        $"watch-events={WatchEvents} watch-resumes={WatchResumes} swaps={Swaps}/{SwapsRefused} deletes={Deletes} " +
        $"lease-refusals={LeaseRefusals} ledger={LedgerTransfers}/{LedgerRefusals} " +
        $"trace={TraceHash:x16}{(Failure is null ? "" : " :: " + Failure)}";
}
