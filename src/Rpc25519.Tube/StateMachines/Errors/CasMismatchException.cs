using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>
/// A compare-and-swap condition (expected value, version or fencing token) did not hold, so nothing was written.
/// <see cref="Current"/> is the key as it is now (null when it does not exist): read it, decide, and retry with the
/// new expectation.
/// </summary>
public sealed class CasMismatchException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Which condition failed, with the expected and actual values.</param>
    /// <param name="current">The key as it is now, or null when it does not exist.</param>
    public CasMismatchException(string message, KvItem? current)
        : base(TubeErrorCode.CasMismatch, message)
    {
        Current = current;
    }

    /// <summary>The key as it is now, or null when it does not exist.</summary>
    public KvItem? Current { get; }

    /// <inheritdoc />
    internal override byte[]? DetailPayload => Current is null ? null : TubeSerializer.Serialize(Current);
}
