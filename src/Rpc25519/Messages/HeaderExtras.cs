namespace Rpc25519.Messages;

/// <summary>The header fields ordinary calls leave empty — the peer API's, <see cref="MessageHeader.Args"/>, the
/// deadline, the stream part and the compression opt-out — held apart, created on the first non-empty write, so that
/// the header of a plain call is small (it is allocated on every send and every receive).</summary>
internal sealed class HeaderExtras
{
    public string ToPeerServiceVersion { get; set; } = "";

    public string FromPeerServiceVersion { get; set; } = "";

    public string ToPeerId { get; set; } = "";

    public string ToPeerName { get; set; } = "";

    public string FromPeerId { get; set; } = "";

    public string FromPeerName { get; set; } = "";

    public int Operation { get; set; }

    public Dictionary<string, string>? Args { get; set; }

    public DateTimeOffset? Deadline { get; set; }

    public long StreamPart { get; set; }

    public bool SkipCompression { get; set; }

    /// <summary><see cref="MessageHeader.Serial"/> when it does not fit in an <see cref="int"/>; null otherwise.
    /// </summary>
    public long? WideSerial { get; set; }

    /// <summary>A copy; <see cref="Args"/> is copied too.</summary>
    public HeaderExtras Clone()
    {
        var copy = (HeaderExtras)MemberwiseClone();
        copy.Args = Args is null ? null : new Dictionary<string, string>(Args, StringComparer.Ordinal);
        return copy;
    }
}
