namespace Rpc25519.Messages;

/// <summary>
/// The unit carried on a connection: a header, an opaque payload and, on replies, the remote handler's error text.
/// <c>new Message()</c> gives a message with an empty <see cref="MessageHeader"/>.
/// </summary>
/// <remarks>Not thread-safe. A message handed to a send method belongs to the library until that method completes;
/// do not send the same instance twice at once.</remarks>
public sealed class Message
{
    /// <summary>Creates a message with an empty header and no payload.</summary>
    public Message()
    {
        Header = new MessageHeader();
    }

    /// <summary>Creates a message around an existing header (not copied).</summary>
    /// <param name="header">The header; the message takes it as it is.</param>
    public Message(MessageHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        Header = header;
    }

    /// <summary>The header.</summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public MessageHeader Header
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value),
            "Message.Header cannot be null; change the fields of the existing header instead.");
    }

    /// <summary>The payload (Go: <c>JobSerz</c>): opaque bytes for the application. Empty by default (null is taken
    /// as empty); the library never keeps a reference to it after sending.</summary>
    public byte[] Payload { get; set => field = value ?? []; } = [];

    /// <summary>On a reply: the error text of the remote handler (its exception message; Go: <c>JobErrs</c>); empty when
    /// it succeeded. Null is taken as empty.</summary>
    public string Error
    {
        get => _errors as string ?? (_errors as LocalErrors)?.Error ?? "";
        set => _errors = _errors is LocalErrors local ? new LocalErrors(value ?? "", local.Local) : value ?? "";
    }

    /// <summary><see cref="Error"/> (a string), or both errors once <see cref="LocalError"/> is set: one field for
    /// the two, as the local one is rare and every message is allocated per call.</summary>
    private object _errors = "";

    /// <summary>Local only, never sent: an error that happened on this side while handling the message.</summary>
    public Exception? LocalError
    {
        get => (_errors as LocalErrors)?.Local;
        set => _errors = value is null && _errors is not LocalErrors ? _errors : new LocalErrors(Error, value);
    }

    /// <summary>Both errors of a message whose <see cref="LocalError"/> was set.</summary>
    private sealed record LocalErrors(string Error, Exception? Local);

    /// <inheritdoc />
    public override string ToString() =>
        $"Message({Header}, Payload={Payload.Length} bytes{(Error.Length > 0 ? ", Error=" + Error : "")})";
}
