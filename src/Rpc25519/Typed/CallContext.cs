using Rpc25519.Messages;

namespace Rpc25519.Typed;

/// <summary>
/// What a typed handler may learn about the call it serves (the original's <c>HDRFromContext</c>): declare a
/// parameter of this type on a registered method and the server passes it in.
/// </summary>
public sealed class CallContext
{
    internal CallContext(MessageHeader hdr)
    {
        Header = hdr;
    }

    /// <summary>The request's header (call ID, deadline, service name, args...). Read it; do not change it.</summary>
    public MessageHeader Header { get; }

    /// <summary>The caller's address, <c>tcp://ip:port</c>.</summary>
    public string RemoteAddress => Header.From;

    /// <summary>This server's address on the caller's connection.</summary>
    public string LocalAddress => Header.To;
}
