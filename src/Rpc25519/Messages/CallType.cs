namespace Rpc25519.Messages;

/// <summary>
/// What a message is. Values below 100 are two-way (the sender waits for a reply); values of 100 and above are
/// one-way. The numbers are part of the wire format and never change. Values the library uses only between its own
/// ends (keep-alives, remote cancellation, stream credit, peer control messages) are not listed here: a handler never
/// sees them.
/// </summary>
public enum CallType
{
    /// <summary>Not set; the client turns it into <see cref="Call"/> or <see cref="OneWay"/> when sending.</summary>
    None = 0,

    /// <summary>A Message-API round trip to a function registered with <see cref="RpcServer.RegisterCall"/>.
    /// (Go: <c>CallRPC</c>.)</summary>
    Call = 1,

    /// <summary>A typed call (<see cref="RpcClient.CallAsync{TArgs, TReply}(string, TArgs, CancellationToken)"/>).
    /// (Go: <c>CallNetRPC</c>.)</summary>
    TypedCall = 2,

    /// <summary>Opens a bidirectional stream (part 0 of the upload side). (Go: <c>CallRequestBistreaming</c>.)</summary>
    BistreamBegin = 3,

    /// <summary>A one-way message to a function registered with <see cref="RpcServer.RegisterOneWay"/>; also server
    /// push.</summary>
    OneWay = 100,

    /// <summary>The reply to any two-way call, and the final reply of every stream. (Go: <c>CallRPCReply</c>.)</summary>
    Reply = 101,

    /// <summary>The receiver could not serve a request (e.g. no such function); the reason is in
    /// <see cref="MessageHeader.Subject"/>.</summary>
    Error = 104,

    /// <summary>First part of a client-to-server upload stream.</summary>
    UploadBegin = 105,

    /// <summary>A middle part of an upload stream.</summary>
    UploadMore = 106,

    /// <summary>The last part of an upload stream.</summary>
    UploadEnd = 107,

    /// <summary>Asks a registered download function to stream to the sender. (Go: <c>CallRequestDownload</c>.)</summary>
    DownloadRequest = 108,

    /// <summary>First part of a server-to-client download stream.</summary>
    DownloadBegin = 109,

    /// <summary>A middle part of a download stream.</summary>
    DownloadMore = 110,

    /// <summary>The last part of a download stream.</summary>
    DownloadEnd = 111,

    /// <summary>Peer API: circuit data (the type of an ordinary <see cref="Peers.Fragment"/>).</summary>
    PeerTraffic = 117,

    /// <summary>Peer API: a circuit error fragment (arrives on <see cref="Peers.Circuit.Errors"/>).</summary>
    PeerError = 118,

    /// <summary>Peer API: circuit data that may fall back to the service when the peer is gone.</summary>
    PeerTrafficWithServiceFallback = 121,
}
