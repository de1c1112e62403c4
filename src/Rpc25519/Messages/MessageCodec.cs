using System.Buffers;
using MessagePack;

namespace Rpc25519.Messages;

/// <summary>
/// Encodes a <see cref="Message"/> as a MessagePack map with integer keys, and decodes it back. Empty fields are left
/// out; unknown keys are skipped so that the format can grow. <see cref="Hdr.From"/>, <see cref="Hdr.To"/> and
/// <see cref="Hdr.LocalRecvTime"/> are never encoded: the receiving connection sets them.
/// </summary>
internal static class MessageCodec
{
    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/>.</summary>
    public static void Encode(Message message, IBufferWriter<byte> output)
    {
        EncodeAllButPayload(message, output);
        output.Write(message.JobSerz);
    }

    /// <summary>
    /// Writes everything of <paramref name="message"/> except the payload bytes, which must follow immediately. The
    /// payload goes last on purpose, so that a frame writer can copy it straight to the transport.
    /// </summary>
    public static void EncodeAllButPayload(Message message, IBufferWriter<byte> output)
    {
        var writer = new MessagePackWriter(output);
        int fields = 1 + (message.JobSerz.Length > 0 ? 1 : 0) + (message.JobErrs.Length > 0 ? 1 : 0);
        writer.WriteMapHeader(fields);
        writer.Write(WireKeys.MessageHdr);
        HdrCodec.Write(ref writer, message.Hdr);
        if (message.JobErrs.Length > 0)
        {
            writer.Write(WireKeys.MessageJobErrs);
            writer.Write(message.JobErrs);
        }
        if (message.JobSerz.Length > 0)
        {
            writer.Write(WireKeys.MessageJobSerz);
            writer.WriteBinHeader(message.JobSerz.Length);
        }
        writer.Flush();
    }

    /// <summary>Decodes one message that must fill <paramref name="body"/> exactly.</summary>
    /// <param name="body">The encoded message.</param>
    /// <param name="context">The connection's decoder memory (reuses repeated strings); null for none.</param>
    /// <exception cref="RpcProtocolException">The body is not a valid encoded message.</exception>
    public static Message Decode(in ReadOnlySequence<byte> body, DecodeContext? context = null)
    {
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
        var message = new Message(new Hdr());
        bool sawHdr = false;
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case WireKeys.MessageHdr:
                    HdrCodec.Read(ref reader, message.Hdr, context);
                    sawHdr = true;
                    break;
                case WireKeys.MessageJobSerz:
                    message.JobSerz = reader.ReadBytes()?.ToArray() ?? [];
                    break;
                case WireKeys.MessageJobErrs:
                    message.JobErrs = reader.ReadString() ?? "";
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
