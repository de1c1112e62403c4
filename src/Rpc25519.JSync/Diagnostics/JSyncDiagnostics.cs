namespace Rpc25519.JSync.Diagnostics;

/// <summary>
/// The name to listen to for jsync's metrics: a <see cref="System.Diagnostics.Metrics.Meter"/> called
/// <see cref="MeterName"/> (<c>dotnet-counters monitor --counters Rpc25519.JSync</c>, OpenTelemetry's
/// <c>AddMeter("Rpc25519.JSync")</c>). Each sync is counted by the side that ran it, when it ends, tagged
/// <c>jsync.role</c> = giver (the side whose tree is copied) | taker (the side that is changed):
/// <list type="bullet">
/// <item><c>jsync.syncs</c> ({sync}; also <c>jsync.outcome</c> = ok | failed | cancelled) and
/// <c>jsync.sync.duration</c> (s; also <c>jsync.outcome</c>)</item>
/// <item><c>jsync.files.transferred</c> ({file}): files whose contents were rebuilt</item>
/// <item><c>jsync.bytes.literal</c> (By): chunk data that travelled (sent by a giver, received by a taker)</item>
/// <item><c>jsync.bytes.reused</c> (By): bytes the taker copied from chunks it already had</item>
/// <item><c>jsync.bytes.zero</c> (By): zero runs written as holes</item>
/// <item><c>jsync.chunks.summarized</c> ({chunk}): chunk records the taker sent to describe what it has</item>
/// <item><c>jsync.entries.scanned</c> ({entry}): entries in the giver's tree</item>
/// </list>
/// A failed or cancelled sync counts in <c>jsync.syncs</c> and the duration only. With nobody listening, a sync pays a
/// few branches and reads no clock.
/// </summary>
public static class JSyncDiagnostics
{
    /// <summary>The name of jsync's meter.</summary>
    public const string MeterName = "Rpc25519.JSync";
}
