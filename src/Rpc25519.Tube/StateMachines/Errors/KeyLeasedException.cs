using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>
/// The key is leased by another session, so this session may not write, delete or lease it until the lease ends
/// (by log time) or its holder releases it. In <see cref="KeyConflictException.Current"/>,
/// <see cref="KvItem.LeaseSession"/> is the holder and <see cref="KvItem.LeaseUntil"/> the end of its lease.
/// </summary>
public sealed class KeyLeasedException : KeyConflictException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Who holds the lease, until when, and what to do.</param>
    /// <param name="current">The key as it is now (holder, lease end, fencing token, value).</param>
    public KeyLeasedException(string message, KvItem? current)
        : base(TubeErrorCode.KeyLeased, message, current)
    {
    }
}
