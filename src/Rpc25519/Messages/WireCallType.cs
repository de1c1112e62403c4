namespace Rpc25519.Messages;

/// <summary>
/// The call types that only the library's own ends exchange; kept out of the public <see cref="CallType"/> so that
/// users never have to handle them. The numbers are part of the wire format and never change.
/// </summary>
internal static class WireCallType
{
    /// <summary>A liveness ping; recorded by the receiver and otherwise discarded.</summary>
    public const CallType KeepAlive = (CallType)102;

    /// <summary>Asks the receiver to cancel the in-flight call with the same <see cref="MessageHeader.CallId"/>.</summary>
    public const CallType CancelPrevious = (CallType)103;

    /// <summary>Peer API: start a remote peer.</summary>
    public const CallType PeerStart = (CallType)112;

    /// <summary>Peer API: open a circuit to a known remote peer.</summary>
    public const CallType PeerStartCircuit = (CallType)113;

    /// <summary>Peer API: the remote created its half of a circuit (or rejected it).</summary>
    public const CallType PeerCircuitEstablishedAck = (CallType)114;

    /// <summary>Peer API: start a new remote peer with a caller-chosen ID and open a circuit in one message.</summary>
    public const CallType PeerStartCircuitTakeToId = (CallType)115;

    /// <summary>Peer API: reuse the single running instance of a service, or start one.</summary>
    public const CallType PeerStartCircuitAtMostOne = (CallType)116;

    /// <summary>Peer API: the sending peer shut down.</summary>
    public const CallType PeerFromIsShutdown = (CallType)119;

    /// <summary>Peer API: a circuit was closed.</summary>
    public const CallType PeerEndCircuit = (CallType)120;

    /// <summary>Stream flow control: the receiver of a stream grants the sender credit up to the absolute byte total
    /// in <see cref="MessageHeader.StreamPart"/> (same call ID). One-way; this library's extension.</summary>
    public const CallType StreamCredit = (CallType)130;
}
