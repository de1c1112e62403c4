namespace Rpc25519.Tube.Raft;

/// <summary>
/// Thrown when a Raft safety invariant or an impossible transition is detected (a bug, corrupted storage, or a
/// host that broke the contract). The node must not be used after it is thrown.
/// </summary>
public sealed class RaftInvariantException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was violated, with the values involved.</param>
    public RaftInvariantException(string message)
        : base(message)
    {
    }
}
