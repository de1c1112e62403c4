using System.Buffers;
using MessagePack;

namespace Rpc25519.Messages;

/// <summary>
/// Encodes a <see cref="Message"/> as a MessagePack map with integer keys, and decodes it back. Empty fields are left
/// out; unknown keys are skipped so that the format can grow. <see cref="MessageHeader.From"/>, <see cref="MessageHeader.To"/> and
/// <see cref="MessageHeader.LocalReceiveTime"/> are never encoded: the receiving connection sets them.
/// </summary>
internal static class MessageCodec
{
    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/>.</summary>
    public static void Encode(Message message, IBufferWriter<byte> output)
    {
        EncodeAllButPayload(message, output);
        output.Write(message.Payload);
    }

    /// <summary>
    /// Writes everything of <paramref name="message"/> except the payload bytes, which must follow immediately. The
    /// payload goes last on purpose, so that a frame writer can copy it straight to the transport.
    /// </summary>
    public static void EncodeAllButPayload(Message message, IBufferWriter<byte> output)
    {
        var writer = new MessagePackWriter(output);
        int fields = 1 + (message.Payload.Length > 0 ? 1 : 0) + (message.Error.Length > 0 ? 1 : 0);
        writer.WriteMapHeader(fields);
        writer.Write(WireKeys.MessageHeader);
        HeaderCodec.Write(ref writer, message.Header);
        if (message.Error.Length > 0)
        {
            writer.Write(WireKeys.MessageError);
            writer.Write(message.Error);
        }
        if (message.Payload.Length > 0)
        {
            writer.Write(WireKeys.MessagePayload);
            writer.WriteBinHeader(message.Payload.Length);
        }
        writer.Flush();
    }

    /// <summary>
    /// Whether the encoded body of <paramref name="message"/> (header, error and payload) is larger than
    /// <paramref name="maxBytes"/>. Decided from a cheap upper bound when it is far below the limit, so the common
    /// case encodes nothing; otherwise the header is encoded once to measure it.
    /// </summary>
    public static bool ExceedsBodyLimit(Message message, int maxBytes, out long bodyBytes)
    {
        bodyBytes = UpperBound(message);
        if (bodyBytes <= maxBytes)
        {
            return false;
        }
        using var measure = new Rpc.PooledBufferWriter();
        EncodeAllButPayload(message, measure);
        bodyBytes = (long)measure.WrittenCount + message.Payload.Length;
        return bodyBytes > maxBytes;
    }

    /// <summary>An upper bound on the encoded body size: every string at its longest UTF-8 (3 bytes per UTF-16
    /// char) plus a generous allowance per field.</summary>
    private static long UpperBound(Message message)
    {
        const int PerField = 16;
        const int Fixed = 256;
        MessageHeader hdr = message.Header;
        long chars = message.Error.Length + hdr.ServiceName.Length + hdr.FromServiceName.Length + hdr.Subject.Length
            + hdr.CallId.Length + hdr.ToPeerServiceVersion.Length + hdr.FromPeerServiceVersion.Length
            + hdr.ToPeerId.Length + hdr.ToPeerName.Length + hdr.FromPeerId.Length + hdr.FromPeerName.Length;
        long bound = Fixed + message.Payload.Length + 3 * chars;
        if (hdr.HasArgs)
        {
            foreach (KeyValuePair<string, string> pair in hdr.Args)
            {
                bound += PerField + 3L * (pair.Key.Length + (pair.Value?.Length ?? 0));
            }
        }
        return bound;
    }

    /// <summary>Decodes one message that must fill <paramref name="body"/> exactly.</summary>
    /// <param name="body">The encoded message.</param>
    /// <param name="context">The connection's decoder memory (reuses repeated strings); null for none.</param>
    /// <exception cref="RpcProtocolException">The body is not a valid encoded message.</exception>
    public static Message Decode(in ReadOnlySequence<byte> body, DecodeContext? context = null)
    {
        MessagePackShape.Check(body);
        try
        {
            var reader = new MessagePackReader(body);
            Message message = Read(ref reader, context);
            if (!reader.End)
            {
                throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                    $"Frame body has {body.Length - reader.Consumed} bytes after the message.");
            }
            return message;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException
                                      or InvalidOperationException or OverflowException)
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                $"Frame body is not a valid Rpc25519 message: {e.Message}", e);
        }
    }

    private static Message Read(ref MessagePackReader reader, DecodeContext? context)
    {
        var message = new Message(new MessageHeader());
        bool sawHdr = false;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case WireKeys.MessageHeader:
                    HeaderCodec.Read(ref reader, message.Header, context);
                    sawHdr = true;
                    break;
                case WireKeys.MessagePayload:
                    message.Payload = reader.ReadBytes()?.ToArray() ?? [];
                    break;
                case WireKeys.MessageError:
                    message.Error = reader.ReadString() ?? "";
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (!sawHdr)
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody, "Frame body has no message header.");
        }
        return message;
    }
}
