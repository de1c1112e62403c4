namespace Rpc25519.Peers;

/// <summary>
/// A peer start or circuit open was refused: by the remote (no such service or peer, a service limit, a full
/// new-circuit queue, more than one instance under "prefer extant") or, for a local start, by this side's own limit.
/// <see cref="Exception.Message"/> says which and what to do.
/// </summary>
public class PeerRejectedException : RpcException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What was refused and why.</param>
    /// <param name="existingPeerUrl">The URL of a running instance the caller may use instead, or empty.</param>
    public PeerRejectedException(string message, string existingPeerUrl = "") : base(message)
    {
        ExistingPeerUrl = existingPeerUrl;
    }

    /// <summary>The URL of a running instance of the service the caller may connect to instead (when a limit refused
    /// the start), or empty.</summary>
    public string ExistingPeerUrl { get; }
}
