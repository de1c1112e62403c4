using Rpc25519.Messages;

namespace Rpc25519.Peers;

/// <summary>
/// The unit of data on a <see cref="Circuit"/>: a simplified <see cref="Message"/>. On the wire a fragment is a message
/// whose header carries the fields below (<see cref="CircuitId"/> in <see cref="MessageHeader.CallId"/>, <see
/// cref="Subject"/>
/// in <see cref="MessageHeader.Subject"/>, <see cref="Part"/> in <see cref="MessageHeader.StreamPart"/>, <see cref="Payload"/> in
/// <see cref="Message.Payload"/>, <see cref="Error"/> in <see cref="Message.Error"/>; see docs/peers.md).
/// </summary>
/// <remarks>
/// Not thread-safe. A fragment handed to <see cref="Circuit.SendAsync"/> (or used as a first fragment) belongs to
/// the library from then on, and so does its <see cref="Payload"/> array: do not change or resend either. A received
/// fragment belongs to the reader.
/// </remarks>
public sealed class Fragment
{
    private Dictionary<string, string>? _args;

    /// <summary>The sending peer's ID (set by the library on send).</summary>
    public string FromPeerId { get; set => field = value ?? ""; } = "";

    /// <summary>The sending peer's name (set by the library on send).</summary>
    public string FromPeerName { get; set => field = value ?? ""; } = "";

    /// <summary>The sending peer's service name (filled in from the circuit when empty).</summary>
    public string FromPeerServiceName { get; set => field = value ?? ""; } = "";

    /// <summary>The sending peer's service version (filled in from the circuit when empty).</summary>
    public string FromPeerServiceVersion { get; set => field = value ?? ""; } = "";

    /// <summary>The receiving peer's ID (set by the library on send).</summary>
    public string ToPeerId { get; set => field = value ?? ""; } = "";

    /// <summary>The receiving peer's name, when known.</summary>
    public string ToPeerName { get; set => field = value ?? ""; } = "";

    /// <summary>The receiving peer's service name (filled in from the circuit when empty).</summary>
    public string ToPeerServiceName { get; set => field = value ?? ""; } = "";

    /// <summary>The receiving peer's service version (filled in from the circuit when empty).</summary>
    public string ToPeerServiceVersion { get; set => field = value ?? ""; } = "";

    /// <summary>The circuit the fragment travels on (set by the library on send).</summary>
    public string CircuitId { get; set => field = value ?? ""; } = "";

    /// <summary>The sender's process-wide send counter (set on send; informational only).</summary>
    public long Serial { get; set; }

    /// <summary>What the fragment is on the wire: <see cref="CallType.PeerTraffic"/>, or
    /// <see cref="CallType.PeerError"/> when <see cref="Error"/> is set; a first fragment carries the circuit-open
    /// type. Set by the library on send.</summary>
    public CallType CallType { get; set; }

    /// <summary>An operation code the application defines.</summary>
    public int Operation { get; set; }

    /// <summary>Free text the application defines.</summary>
    public string Subject { get; set => field = value ?? ""; } = "";

    /// <summary>A part number the application defines (not checked by the library).</summary>
    public long Part { get; set; }

    /// <summary>Small string parameters. Keys must not be empty nor start with <c>#</c> (reserved for the library;
    /// a send refuses them). Received fragments may carry the library's <c>#</c> keys. Created on first use.</summary>
    public Dictionary<string, string> Args => _args ??= new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Whether <see cref="Args"/> has any entry (without creating the dictionary).</summary>
    public bool HasArgs => _args is { Count: > 0 };

    /// <summary>Opaque application bytes. Empty by default. Owned by the library once the fragment is sent.</summary>
    public byte[] Payload { get; set => field = value ?? []; } = [];

    /// <summary>An error text; a fragment sent with it set arrives on the remote's <see
    /// cref="Circuit.Errors"/>.</summary>
    public string Error { get; set => field = value ?? ""; } = "";

    /// <summary>When the fragment was sent, from the sender's <see cref="RpcOptions.TimeProvider"/>.</summary>
    public DateTimeOffset Created { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Fragment(CallType={CallType}, CircuitId={CircuitId}, Operation={Operation}, Subject={Subject}, " +
        $"Part={Part}, " +
        $"Payload={Payload.Length} bytes{(Error.Length > 0 ? ", Error=" + Error : "")})";
}
