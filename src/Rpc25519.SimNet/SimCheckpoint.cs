namespace Rpc25519.SimNet;

/// <summary>Where a run is after a step: compared between two runs to find the first interval where they part,
/// without keeping any history (the original's online lock-step check).</summary>
/// <param name="Step">Steps executed.</param>
/// <param name="VirtualTime">Virtual time elapsed.</param>
/// <param name="TraceHash">The running trace hash.</param>
public readonly record struct SimCheckpoint(long Step, TimeSpan VirtualTime, ulong TraceHash);
