namespace Rpc25519.Diagnostics;

/// <summary>What <see cref="RpcMetrics.StartCall"/> recorded about one two-way call, for
/// <see cref="RpcMetrics.EndCall"/>: its start timestamp (0 when nobody listened to its duration), whether it was
/// counted in flight, and its side.</summary>
internal readonly record struct CallMeasurement(long Started, bool Active, bool Server);
