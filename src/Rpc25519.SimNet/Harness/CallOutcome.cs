namespace Rpc25519.SimNet.Harness;

/// <summary>How one workload call ended.</summary>
internal enum CallOutcome
{
    Succeeded = 0,
    Failed = 1,
}
