using MessagePack;

namespace Rpc25519.Messages;

/// <summary>Writes and reads the <see cref="MessageHeader"/> map (see <see cref="WireKeys"/>).</summary>
internal static class HeaderCodec
{
    public static void Write(ref MessagePackWriter writer, MessageHeader hdr)
    {
        writer.WriteMapHeader(CountFields(hdr));
        if (hdr.Created != default)
        {
            writer.Write(WireKeys.Created);
            writer.Write(hdr.Created.UtcDateTime);
        }
        WriteString(ref writer, WireKeys.ServiceName, hdr.ServiceName);
        WriteString(ref writer, WireKeys.ToPeerServiceVersion, hdr.ToPeerServiceVersion);
        WriteString(ref writer, WireKeys.FromServiceName, hdr.FromServiceName);
        WriteString(ref writer, WireKeys.FromPeerServiceVersion, hdr.FromPeerServiceVersion);
        if (hdr.HasArgs)
        {
            writer.Write(WireKeys.Args);
            WriteArgs(ref writer, hdr.Args);
        }
        WriteString(ref writer, WireKeys.Subject, hdr.Subject);
        if (hdr.SequenceNumber != 0)
        {
            writer.Write(WireKeys.SequenceNumber);
            writer.Write(hdr.SequenceNumber);
        }
        if (hdr.CallType != CallType.None)
        {
            writer.Write(WireKeys.CallType);
            writer.Write((int)hdr.CallType);
        }
        if (hdr.HasCallId)
        {
            writer.Write(WireKeys.CallId);
            CallIds.Write(ref writer, hdr.CallIdKey, hdr.SequenceNumber);
        }
        if (hdr.Serial != 0)
        {
            writer.Write(WireKeys.Serial);
            writer.Write(hdr.Serial);
        }
        if (hdr.Deadline is { } deadline)
        {
            writer.Write(WireKeys.Deadline);
            writer.Write(deadline.UtcDateTime);
        }
        if (hdr.StreamPart != 0)
        {
            writer.Write(WireKeys.StreamPart);
            writer.Write(hdr.StreamPart);
        }
        if (hdr.SkipCompression)
        {
            writer.Write(WireKeys.SkipCompression);
            writer.Write(true);
        }
        WriteString(ref writer, WireKeys.ToPeerId, hdr.ToPeerId);
        WriteString(ref writer, WireKeys.ToPeerName, hdr.ToPeerName);
        WriteString(ref writer, WireKeys.FromPeerId, hdr.FromPeerId);
        WriteString(ref writer, WireKeys.FromPeerName, hdr.FromPeerName);
        if (hdr.Operation != 0)
        {
            writer.Write(WireKeys.Operation);
            writer.Write(hdr.Operation);
        }
    }

    public static void Read(ref MessagePackReader reader, MessageHeader hdr, DecodeContext? context)
    {
        int count = reader.ReadMapHeader();
        // Gathered, then set at once: the header's strings are one object, shared when the context has one alike.
        HeaderStrings strings = hdr.Strings;
        (string serviceName, string fromServiceName, string subject) =
            (strings.ServiceName, strings.FromServiceName, strings.Subject);
        for (int i = 0; i < count; i++)
        {
            int key = reader.ReadInt32();
            switch (key)
            {
                case WireKeys.Created: hdr.Created = ReadTime(ref reader, "Created"); break;
                case WireKeys.ServiceName: serviceName = ReadName(ref reader, context); break;
                case WireKeys.ToPeerServiceVersion: hdr.ToPeerServiceVersion = ReadString(ref reader); break;
                case WireKeys.FromServiceName: fromServiceName = ReadName(ref reader, context); break;
                case WireKeys.FromPeerServiceVersion: hdr.FromPeerServiceVersion = ReadString(ref reader); break;
                case WireKeys.Args: ReadArgs(ref reader, hdr.Args); break;
                case WireKeys.Subject: subject = ReadString(ref reader); break;
                case WireKeys.SequenceNumber: hdr.SequenceNumber = reader.ReadUInt64(); break;
                case WireKeys.CallType: hdr.CallType = ReadCallType(ref reader); break;
                case WireKeys.CallId:
                    hdr.CallIdKey = context is null ? CallIds.Read(ref reader, hdr.SequenceNumber)
                        : context.ReadCallId(ref reader, hdr);
                    break;
                case WireKeys.Serial: hdr.Serial = reader.ReadInt64(); break;
                case WireKeys.Deadline: hdr.Deadline = ReadTime(ref reader, "Deadline"); break;
                case WireKeys.StreamPart: hdr.StreamPart = reader.ReadInt64(); break;
                case WireKeys.SkipCompression: hdr.SkipCompression = reader.ReadBoolean(); break;
                case WireKeys.ToPeerId: hdr.ToPeerId = ReadString(ref reader); break;
                case WireKeys.ToPeerName: hdr.ToPeerName = ReadString(ref reader); break;
                case WireKeys.FromPeerId: hdr.FromPeerId = ReadString(ref reader); break;
                case WireKeys.FromPeerName: hdr.FromPeerName = ReadString(ref reader); break;
                case WireKeys.Operation: hdr.Operation = reader.ReadInt32(); break;
                default: reader.Skip(); break;
            }
        }
        hdr.Strings = context is null
            ? strings.WithServiceName(serviceName).WithFromServiceName(fromServiceName).WithSubject(subject)
            : context.Strings(serviceName, fromServiceName, subject);
    }

    private static int CountFields(MessageHeader hdr)
    {
        int n = 0;
        n += hdr.Created != default ? 1 : 0;
        n += hdr.ServiceName.Length > 0 ? 1 : 0;
        n += hdr.ToPeerServiceVersion.Length > 0 ? 1 : 0;
        n += hdr.FromServiceName.Length > 0 ? 1 : 0;
        n += hdr.FromPeerServiceVersion.Length > 0 ? 1 : 0;
        n += hdr.HasArgs ? 1 : 0;
        n += hdr.Subject.Length > 0 ? 1 : 0;
        n += hdr.SequenceNumber != 0 ? 1 : 0;
        n += hdr.CallType != CallType.None ? 1 : 0;
        n += hdr.HasCallId ? 1 : 0;
        n += hdr.Serial != 0 ? 1 : 0;
        n += hdr.Deadline.HasValue ? 1 : 0;
        n += hdr.StreamPart != 0 ? 1 : 0;
        n += hdr.SkipCompression ? 1 : 0;
        n += hdr.ToPeerId.Length > 0 ? 1 : 0;
        n += hdr.ToPeerName.Length > 0 ? 1 : 0;
        n += hdr.FromPeerId.Length > 0 ? 1 : 0;
        n += hdr.FromPeerName.Length > 0 ? 1 : 0;
        n += hdr.Operation != 0 ? 1 : 0;
        return n;
    }

    private static void WriteString(ref MessagePackWriter writer, int key, string value)
    {
        if (value.Length > 0)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }

    private static void WriteArgs(ref MessagePackWriter writer, Dictionary<string, string> args)
    {
        writer.WriteMapHeader(args.Count);
        if (args.Count == 1)
        {
            foreach (KeyValuePair<string, string> pair in args)
            {
                writer.Write(pair.Key);
                writer.Write(pair.Value ?? "");
            }
            return;
        }
        // Sorted so that the bytes on the wire do not depend on hash order (determinism under simulation).
        string[] keys = [.. args.Keys];
        Array.Sort(keys, StringComparer.Ordinal);
        foreach (string key in keys)
        {
            writer.Write(key);
            writer.Write(args[key] ?? "");
        }
    }

    private static void ReadArgs(ref MessagePackReader reader, Dictionary<string, string> args)
    {
        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            string key = ReadString(ref reader);
            args[key] = ReadString(ref reader);
        }
    }

    private static string ReadString(ref MessagePackReader reader) => reader.ReadString() ?? "";

    private static string ReadName(ref MessagePackReader reader, DecodeContext? context) =>
        context is null ? ReadString(ref reader) : context.ReadName(ref reader);

    /// <summary>Reads a timestamp; one outside the range of <see cref="DateTime"/> (seconds or nanoseconds too large)
    /// is a protocol violation, not an arithmetic error.</summary>
    private static DateTimeOffset ReadTime(ref MessagePackReader reader, string field)
    {
        try
        {
            return new DateTimeOffset(reader.ReadDateTime());
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                $"Message field {field} holds a timestamp outside the range of DateTime.", e);
        }
    }

    private static CallType ReadCallType(ref MessagePackReader reader)
    {
        var type = (CallType)reader.ReadInt32();
        if (!type.IsDefined())
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                $"Message has unknown call type {(int)type}; the peer is newer or corrupt.");
        }
        return type;
    }
}
