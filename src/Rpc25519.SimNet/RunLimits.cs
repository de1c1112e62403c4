namespace Rpc25519.SimNet;

/// <summary>The bounds of one run: every run stops by these, so no test can hang.</summary>
/// <param name="StepsMax">Work items the run may execute.</param>
/// <param name="TimeMaxTicks">Virtual time (ticks since the epoch) the run may reach.</param>
internal readonly record struct RunLimits(long StepsMax, long TimeMaxTicks);
