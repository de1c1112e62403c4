using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>
/// A compare-and-swap condition (expected value, version or fencing token) did not hold, so nothing was written.
/// Read <see cref="KeyConflictException.Current"/> (null when the key does not exist), decide, and retry with the
/// new expectation.
/// </summary>
public sealed class CasMismatchException : KeyConflictException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which condition failed, with the expected and actual values.</param>
    /// <param name="current">The key as it is now, or null when it does not exist.</param>
    public CasMismatchException(string message, KvItem? current)
        : base(TubeErrorCode.CasMismatch, message, current)
    {
    }
}
