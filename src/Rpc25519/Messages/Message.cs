namespace Rpc25519.Messages;

/// <summary>
/// The unit carried on a connection: a header, an opaque payload and, on replies, the remote handler's error text.
/// <c>new Message()</c> gives a message with an empty <see cref="Hdr"/>.
/// </summary>
/// <remarks>Not thread-safe. A message handed to a send method belongs to the library until that method completes;
/// do not send the same instance twice at once.</remarks>
public sealed class Message
{
    /// <summary>Creates a message with an empty header and no payload.</summary>
    public Message()
    {
        Hdr = new Hdr();
    }

    /// <summary>Creates a message around an existing header (not copied).</summary>
    public Message(Hdr hdr)
    {
        ArgumentNullException.ThrowIfNull(hdr);
        Hdr = hdr;
    }

    /// <summary>The header.</summary>
    public Hdr Hdr { get; set; }

    /// <summary>The payload ("job serialized"): opaque bytes for the application. Empty by default; the library never
    /// keeps a reference to it after sending.</summary>
    public byte[] JobSerz { get; set; } = [];

    /// <summary>On a reply: the error text of the remote handler (its exception message); empty when it succeeded.</summary>
    public string JobErrs { get; set; } = "";

    /// <summary>Local only, never sent: an error that happened on this side while handling the message.</summary>
    public Exception? LocalErr { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Message({Hdr}, JobSerz={JobSerz.Length} bytes{(JobErrs.Length > 0 ? ", JobErrs=" + JobErrs : "")})";
}
