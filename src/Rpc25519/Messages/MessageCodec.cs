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
            + CallIds.TextLength(hdr.CallIdKey) + hdr.ToPeerServiceVersion.Length + hdr.FromPeerServiceVersion.Length
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

    /// <summary>
    /// Decodes a message of which only the first part has arrived: <paramref name="head"/> holds every field and the
    /// start of the payload, which must be the last field (as <see cref="EncodeAllButPayload"/> writes it), and
    /// <paramref name="missingTailBytes"/> more payload bytes are still to come. The payload array is allocated at its
    /// full size, with the bytes in <paramref name="head"/> copied to its start.
    /// </summary>
    /// <param name="head">The first part of the encoded message.</param>
    /// <param name="missingTailBytes">Bytes of the message still to come (all of them payload); above 0.</param>
    /// <param name="context">The connection's decoder memory; null for none.</param>
    /// <param name="payloadFilled">How many bytes of the payload were in <paramref name="head"/>; the caller writes the
    /// rest after them.</param>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.UndecodableBody"/>: not a valid message, or
    /// the missing bytes are not the end of its payload.</exception>
    public static Message DecodeWithTrailingPayload(in ReadOnlySequence<byte> head, long missingTailBytes,
        DecodeContext? context, out int payloadFilled)
    {
        MessagePackShape.Check(head, missingTailBytes);
        try
        {
            var reader = new MessagePackReader(head);
            Message message = Read(ref reader, context, missingTailBytes);
            payloadFilled = (int)(head.Length - reader.Consumed);
            if (message.Payload.Length != payloadFilled + missingTailBytes)
            {
                throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                    "Frame body is not a valid Rpc25519 message: the bytes after its first part are not the end of " +
                    "its payload.");
            }
            head.Slice(reader.Position).CopyTo(message.Payload);
            return message;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException
                                      or InvalidOperationException or OverflowException)
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                $"Frame body is not a valid Rpc25519 message: {e.Message}", e);
        }
    }

    /// <summary>Reads a message; with <paramref name="missingTailBytes"/> above 0 the payload is only partly there,
    /// so its array is allocated at the declared size and the reader is left at its first byte.</summary>
    private static Message Read(ref MessagePackReader reader, DecodeContext? context, long missingTailBytes = 0)
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
                case WireKeys.MessagePayload when missingTailBytes > 0 && i == count - 1:
                    message.Payload = GC.AllocateUninitializedArray<byte>(ReadBinHeader(ref reader));
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

    /// <summary>Reads a bin8/16/32 header (checked by <see cref="MessagePackShape"/>) and returns its length.</summary>
    private static int ReadBinHeader(ref MessagePackReader reader)
    {
        byte code = reader.NextCode;
        int width = code switch
        {
            0xC4 => 1,
            0xC5 => 2,
            0xC6 => 4,
            _ => throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                "Frame body is not a valid Rpc25519 message: its payload is not a binary value."),
        };
        Span<byte> bytes = stackalloc byte[5];
        reader.ReadRaw(1 + width).CopyTo(bytes);
        uint length = width switch
        {
            1 => bytes[1],
            2 => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]),
            _ => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[1..]),
        };
        if (length > Array.MaxLength)
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                $"Frame body is not a valid Rpc25519 message: its payload declares {length} bytes.");
        }
        return (int)length;
    }
}
