namespace Rpc25519.Messages;

/// <summary>
/// The header of a <see cref="Message"/>: routing, identity and timing. Fields that are empty or zero are not
/// encoded; a string field set to null reads back as empty. The field numbers of the wire format (see docs/wire-format.md) never change; unknown fields from newer
/// peers are skipped.
/// </summary>
/// <remarks>Not thread-safe. The library owns a header from the moment its message is handed to a send method until
/// that method completes.</remarks>
public sealed class MessageHeader
{
    /// <summary>The fields plain calls leave empty, created on first non-empty write so that plain calls carry a
    /// smaller header.</summary>
    private HeaderExtras? _extras;

    /// <summary><see cref="CallId"/>: a string, the bytes of an ID the library drew, or a connection's prefix (see
    /// <see cref="CallIds"/>).</summary>
    private object _callId = "";

    /// <summary><see cref="From"/>, <see cref="To"/>, <see cref="ServiceName"/>, <see cref="FromServiceName"/> and
    /// <see cref="Subject"/>: one object shared by many headers (see <see cref="HeaderStrings"/>).</summary>
    private HeaderStrings _strings = HeaderStrings.Empty;

    /// <summary><see cref="Created"/> in UTC ticks (0 for unset).</summary>
    private long _createdTicks;

    /// <summary><see cref="LocalReceiveTime"/> in UTC ticks (0 for unset).</summary>
    private long _receivedTicks;

    /// <summary>When the message was sent (set by the sender from its <see cref="RpcOptions.TimeProvider"/> if unset).
    /// Kept as an instant: it reads back in UTC (offset zero), as it travels on the wire.</summary>
    public DateTimeOffset Created
    {
        get => new(_createdTicks, TimeSpan.Zero);
        set => _createdTicks = value.UtcTicks;
    }

    /// <summary>
    /// Where the message came from, <c>network://ip:port</c>, as the receiving connection sees it. Set by the receiver
    /// on every incoming message (not sent on the wire); on the server this is the key for
    /// <see cref="RpcServer.PushAsync"/> and <see cref="RpcServer.Connections"/>.
    /// </summary>
    public string From
    {
        get => _strings.From;
        set => _strings = _strings.WithFrom(value ?? "");
    }

    /// <summary>The receiving side's own address, <c>network://ip:port</c>; set by the receiver (not sent on the wire).</summary>
    public string To
    {
        get => _strings.To;
        set => _strings = _strings.WithTo(value ?? "");
    }

    /// <summary>All the string fields at once (see <see cref="HeaderStrings"/>).</summary>
    internal HeaderStrings Strings
    {
        get => _strings;
        set => _strings = value;
    }

    /// <summary>The name of the registered function to invoke (for typed calls, <c>Service.Method</c>).</summary>
    public string ServiceName
    {
        get => _strings.ServiceName;
        set => _strings = _strings.WithServiceName(value ?? "");
    }

    /// <summary>Peer API: the target service's version.</summary>
    public string ToPeerServiceVersion
    {
        get => _extras?.ToPeerServiceVersion ?? "";
        set => PeerFor(value)?.ToPeerServiceVersion = value ?? "";
    }

    /// <summary>The caller's service name; replies carry the request's <see cref="ServiceName"/> here.</summary>
    public string FromServiceName
    {
        get => _strings.FromServiceName;
        set => _strings = _strings.WithFromServiceName(value ?? "");
    }

    /// <summary>Peer API: the sending service's version.</summary>
    public string FromPeerServiceVersion
    {
        get => _extras?.FromPeerServiceVersion ?? "";
        set => PeerFor(value)?.FromPeerServiceVersion = value ?? "";
    }

    /// <summary>Small string parameters (keep them small; bulk data belongs in <see cref="Message.Payload"/>).
    /// Created on first use; encoded in ordinal key order.</summary>
    public Dictionary<string, string> Args =>
        (_extras ??= new HeaderExtras()).Args ??= new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Whether <see cref="Args"/> has any entry (without creating the dictionary).</summary>
    public bool HasArgs => _extras?.Args is { Count: > 0 };

    /// <summary>Free text. A reply starts with the request's subject; a <see cref="CallType.Error"/> reply carries
    /// the error description here.</summary>
    public string Subject
    {
        get => _strings.Subject;
        set => _strings = _strings.WithSubject(value ?? "");
    }

    /// <summary>Per-connection sequence number, set by the sender; a reply echoes its request's number.
    /// Server pushes use 0.</summary>
    public ulong SequenceNumber
    {
        get;
        set
        {
            if (_callId is CallIds.Prefix && field != 0 && value != field)
            {
                // The call ID was made of the old number: keep it (a reused message keeps its call ID).
                _callId = CallIds.Freeze(_callId, field);
            }
            field = value;
        }
    }

    /// <summary>What the message is.</summary>
    public CallType CallType { get; set; }

    /// <summary>Identifies a call: echoed on its reply and stream parts, and the key for remote cancellation.
    /// Set by the sender if empty.</summary>
    public string CallId
    {
        get
        {
            if (_callId is string text)
            {
                return text;
            }
            // Made on first read (see CallIds); kept, so that every later read returns the same string.
            text = CallIds.ToText(_callId, SequenceNumber);
            _callId = text;
            return text;
        }
        set => _callId = value ?? "";
    }

    /// <summary>The call ID as <see cref="CallIds"/> keeps it: the string, the 21 bytes of an ID the library drew, or
    /// a connection's prefix (the ID is then the prefix and <see cref="SequenceNumber"/>).</summary>
    internal object CallIdKey
    {
        get => _callId;
        set => _callId = value;
    }

    /// <summary>Whether <see cref="CallId"/> is not empty (without making its string).</summary>
    internal bool HasCallId => CallIds.IsSet(_callId);

    /// <summary>A per-process counter stamped on every send (diagnostics only).</summary>
    public long Serial
    {
        get => _extras?.WideSerial ?? _serial;
        set
        {
            if (value is >= int.MinValue and <= int.MaxValue)
            {
                _serial = (int)value;
                _extras?.WideSerial = null;
            }
            else
            {
                (_extras ??= new HeaderExtras()).WideSerial = value;
                _serial = 0;
            }
        }
    }

    /// <summary><see cref="Serial"/> when it fits in an <see cref="int"/> (a per-process counter does for its first
    /// two billion sends); it then shares eight bytes with <see cref="CallType"/> instead of taking eight of its own
    /// in a header allocated per call. A wider value lives in <see cref="HeaderExtras.WideSerial"/>.</summary>
    private int _serial;

    /// <summary>When this side received the message (local only, never encoded); read back in UTC (offset zero).
    /// </summary>
    public DateTimeOffset LocalReceiveTime
    {
        get => new(_receivedTicks, TimeSpan.Zero);
        set => _receivedTicks = value.UtcTicks;
    }

    /// <summary>Optional absolute deadline. The server cancels the handler's token when it passes; the client stops
    /// waiting for the reply at the same moment (<see cref="RpcTimeoutException"/>).</summary>
    public DateTimeOffset? Deadline
    {
        get => _extras?.Deadline;
        set
        {
            if (value is not null || _extras is not null)
            {
                (_extras ??= new HeaderExtras()).Deadline = value;
            }
        }
    }

    /// <summary>0-based index of a part within a stream (keep-alives carry an epoch number here).</summary>
    public long StreamPart
    {
        get => _extras?.StreamPart ?? 0;
        set
        {
            if (value != 0 || _extras is not null)
            {
                (_extras ??= new HeaderExtras()).StreamPart = value;
            }
        }
    }

    /// <summary>Send this one message uncompressed whatever the connection's compression setting.</summary>
    public bool SkipCompression
    {
        get => _extras?.SkipCompression ?? false;
        set
        {
            if (value || _extras is not null)
            {
                (_extras ??= new HeaderExtras()).SkipCompression = value;
            }
        }
    }

    /// <summary>Peer API: the target peer's ID (routing takes it before <see cref="CallId"/>).</summary>
    public string ToPeerId
    {
        get => _extras?.ToPeerId ?? "";
        set => PeerFor(value)?.ToPeerId = value ?? "";
    }

    /// <summary>Peer API: the target peer's name.</summary>
    public string ToPeerName
    {
        get => _extras?.ToPeerName ?? "";
        set => PeerFor(value)?.ToPeerName = value ?? "";
    }

    /// <summary>Peer API: the sending peer's ID.</summary>
    public string FromPeerId
    {
        get => _extras?.FromPeerId ?? "";
        set => PeerFor(value)?.FromPeerId = value ?? "";
    }

    /// <summary>Peer API: the sending peer's name.</summary>
    public string FromPeerName
    {
        get => _extras?.FromPeerName ?? "";
        set => PeerFor(value)?.FromPeerName = value ?? "";
    }

    /// <summary>Peer API: an operation code defined by the application.</summary>
    public int Operation
    {
        get => _extras?.Operation ?? 0;
        set
        {
            if (value != 0 || _extras is not null)
            {
                (_extras ??= new HeaderExtras()).Operation = value;
            }
        }
    }

    /// <summary>Returns a copy; <see cref="Args"/> is copied too, so the two headers can change independently.</summary>
    public MessageHeader Clone()
    {
        var copy = (MessageHeader)MemberwiseClone();
        copy._extras = _extras?.Clone();
        return copy;
    }

    /// <summary>The peer fields to write <paramref name="value"/> into; null when it is empty and none exist yet.</summary>
    private HeaderExtras? PeerFor(string? value) =>
        string.IsNullOrEmpty(value) && _extras is null ? null : _extras ??= new HeaderExtras();

    /// <inheritdoc />
    public override string ToString() =>
        $"MessageHeader(CallType={CallType}, ServiceName={ServiceName}, SequenceNumber={SequenceNumber}, CallId={CallId}, From={From}, To={To}, " +
        $"Subject={Subject}, StreamPart={StreamPart})";
}
