namespace Rpc25519.Tube.Tests.Harness;

/// <summary>A Raft safety property failed in a simulation.</summary>
internal sealed class SafetyViolationException(string message) : Exception(message);
