namespace Rpc25519.Messages;

/// <summary>
/// What a message is. Values below 100 are two-way (the sender waits for a reply); values of 100 and above are
/// one-way. The numbers are part of the wire format and never change.
/// </summary>
public enum CallType
{
    /// <summary>Not set; the client turns it into <see cref="CallRpc"/> or <see cref="CallOneWay"/> when sending.</summary>
    CallNone = 0,

    /// <summary>A Message-API round trip to a function registered with <see cref="RpcServer.Register2Func"/>.</summary>
    CallRpc = 1,

    /// <summary>A typed (net/rpc-style) call.</summary>
    CallNetRpc = 2,

    /// <summary>Opens a bidirectional stream (part 0 of the upload side).</summary>
    CallRequestBistreaming = 3,

    /// <summary>A one-way message to a function registered with <see cref="RpcServer.Register1Func"/>; also server push.</summary>
    CallOneWay = 100,

    /// <summary>The reply to any two-way call, and the final reply of every stream.</summary>
    CallRpcReply = 101,

    /// <summary>An application-level ping; recorded by the receiver and otherwise discarded.</summary>
    CallKeepAlive = 102,

    /// <summary>Asks the receiver to cancel the in-flight call with the same <see cref="Hdr.CallId"/>.</summary>
    CallCancelPrevious = 103,

    /// <summary>The receiver could not serve a request (e.g. no such function); the reason is in <see cref="Hdr.Subject"/>.</summary>
    CallError = 104,

    /// <summary>First part of a client-to-server upload stream.</summary>
    CallUploadBegin = 105,

    /// <summary>A middle part of an upload stream.</summary>
    CallUploadMore = 106,

    /// <summary>The last part of an upload stream.</summary>
    CallUploadEnd = 107,

    /// <summary>Asks a registered download function to stream to the sender.</summary>
    CallRequestDownload = 108,

    /// <summary>First part of a server-to-client download stream.</summary>
    CallDownloadBegin = 109,

    /// <summary>A middle part of a download stream.</summary>
    CallDownloadMore = 110,

    /// <summary>The last part of a download stream.</summary>
    CallDownloadEnd = 111,

    /// <summary>Peer API: start a remote peer.</summary>
    CallPeerStart = 112,

    /// <summary>Peer API: open a circuit to a known remote peer.</summary>
    CallPeerStartCircuit = 113,

    /// <summary>Peer API: the remote created its half of a circuit (or rejected it).</summary>
    CallPeerCircuitEstablishedAck = 114,

    /// <summary>Peer API: start a new remote peer with a caller-chosen ID and open a circuit in one message.</summary>
    CallPeerStartCircuitTakeToId = 115,

    /// <summary>Peer API: reuse the single running instance of a service, or start one.</summary>
    CallPeerStartCircuitAtMostOne = 116,

    /// <summary>Peer API: circuit data.</summary>
    CallPeerTraffic = 117,

    /// <summary>Peer API: a circuit error fragment.</summary>
    CallPeerError = 118,

    /// <summary>Peer API: the sending peer shut down.</summary>
    CallPeerFromIsShutdown = 119,

    /// <summary>Peer API: a circuit was closed.</summary>
    CallPeerEndCircuit = 120,

    /// <summary>Peer API: circuit data that may fall back to the service when the peer is gone.</summary>
    CallPeerTrafficWithServiceFallback = 121,

    /// <summary>Stream flow control: the receiver of a stream grants the sender credit up to the absolute byte total
    /// in <see cref="Hdr.StreamPart"/> (same CallId). One-way; this library's extension, not in the original.</summary>
    CallStreamCredit = 130,
}
