namespace Rpc25519.Peers;

/// <summary>
/// A start was refused because the service already runs <see cref="PeerOptions.ServiceLimits"/> instances on that
/// side; <see cref="PeerRejectedException.ExistingPeerUrl"/> names the first running one.
/// </summary>
public sealed class PeerServiceLimitException : PeerRejectedException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">The service, the limit and the running instances.</param>
    /// <param name="existingPeerUrl">The URL of the first running instance.</param>
    /// <param name="existingPeerIds">The IDs of every running instance, oldest first.</param>
    public PeerServiceLimitException(string message, string existingPeerUrl, IReadOnlyList<string> existingPeerIds)
        : base(message, existingPeerUrl)
    {
        ExistingPeerIds = existingPeerIds;
    }

    /// <summary>The IDs of the running instances, oldest first.</summary>
    public IReadOnlyList<string> ExistingPeerIds { get; }
}
