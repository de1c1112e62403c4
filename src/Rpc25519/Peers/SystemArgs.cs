namespace Rpc25519.Peers;

/// <summary>The reserved <c>#</c> keys the peer layer puts in <see cref="Messages.MessageHeader.Args"/>.</summary>
internal static class SystemArgs
{
    public const string CircuitName = "#circuitName";
    public const string PeerId = "#peerID";
    public const string PeerUrl = "#peerURL";
    public const string PeerName = "#peerName";

    /// <summary>On a circuit open and its ack: how many fragments the sender of it may still receive (its
    /// window).</summary>
    public const string Window = "#window";

    /// <summary>On a credit grant: how many more fragments the receiver of the grant may send.</summary>
    public const string Credit = "#credit";

    /// <summary>On a circuit open: the open carries a first fragment for <see cref="Circuit.Reads"/>.</summary>
    public const string HasFirst = "#first";

    public const string LimitedServiceName = "#LimitedServiceName";
    public const string LimitedServiceMax = "#LimitedServiceMax";
    public const string LimitedServiceCurrentCount = "#LimitedServiceCurrentCount";
    public const string LimitedExistingPeerIds = "#LimitedExistingPeerIDs_comma_sep";
    public const string LimitedExistingPeerIdFirst = "#LimitedExistingPeerID_first";
    public const string LimitedExistingPeerIdFirstUrl = "#LimitedExistingPeerID_first_url";

    /// <summary>Whether <paramref name="key"/> is reserved for the library (or empty, which is never
    /// allowed).</summary>
    public static bool IsReservedOrEmpty(string key) => key.Length == 0 || key[0] == '#';
}
