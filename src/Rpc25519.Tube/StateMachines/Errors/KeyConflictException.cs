using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>A write refused because of the key's current state (a lease or a failed condition);
/// <see cref="Current"/> is the key as it is now, and travels with the reply.</summary>
public abstract class KeyConflictException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The code that travels in the reply.</param>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="current">The key as it is now, or null when it does not exist.</param>
    protected KeyConflictException(TubeErrorCode errorCode, string message, KvItem? current)
        : base(errorCode, message)
    {
        Current = current;
    }

    /// <summary>The key as it is now (value, version, lease holder and end, fencing token), or null when it does not
    /// exist.</summary>
    public KvItem? Current { get; }

    /// <inheritdoc />
    internal override byte[]? DetailPayload => Current is null ? null : TubeSerializer.Serialize(Current);
}
