using System.Buffers;
using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Writes a <see cref="FilePlan"/> compactly: each step as one varint of length and kind, and a copy's source and
/// offset as deltas from the previous copy (consecutive copies from one source cost two bytes plus the length).
/// </summary>
internal sealed class FilePlanFormatter : PackedFormatter<FilePlan>
{
    /// <summary>The union key of <see cref="FilePlan"/> in <see cref="JSyncMessage"/>.</summary>
    public const int UnionKey = 4;

    /// <inheritdoc/>
    protected override void Write(ref MessagePackWriter writer, FilePlan value, MessagePackSerializerOptions options)
    {
        WriteHead(ref writer, value);
        writer.WriteRaw(value.Data.Span);
        WriteTail(ref writer, value, options);
    }

    /// <summary>
    /// Encodes a plan as a whole <see cref="JSyncMessage"/> (the same bytes as <see cref="JSyncSerializer.Serialize"/>
    /// writes), copying the literal bytes once, straight into the exactly sized result: the general path writes them
    /// into a pooled buffer first and copies that into the result, which is a second pass over every byte of a copy.
    /// </summary>
    public static byte[] SerializeMessage(FilePlan value, MessagePackSerializerOptions options)
    {
        var framing = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(framing);
        writer.WriteArrayHeader(2); // the union: [key, value]
        writer.Write(UnionKey);
        WriteHead(ref writer, value);
        writer.Flush();
        int head = framing.WrittenCount;
        writer = new MessagePackWriter(framing);
        WriteTail(ref writer, value, options);
        writer.Flush();
        ReadOnlySpan<byte> data = value.Data.Span;
        // Every byte is written below, so the array need not be zeroed first (a 64 KiB block would be cleared for nothing).
        byte[] bytes = GC.AllocateUninitializedArray<byte>(framing.WrittenCount + data.Length);
        framing.WrittenSpan[..head].CopyTo(bytes);
        data.CopyTo(bytes.AsSpan(head));
        framing.WrittenSpan[head..].CopyTo(bytes.AsSpan(head + data.Length));
        return bytes;
    }

    /// <summary>Everything before the literal bytes: the array header, file id, packed steps and the bin header.</summary>
    private static void WriteHead(ref MessagePackWriter writer, FilePlan value)
    {
        var packed = new PackedWriter(value.Steps.Length * 4 + 4);
        packed.Varint((ulong)value.Steps.Length);
        int source = 0;
        long end = 0;
        foreach (PlanStep step in value.Steps)
        {
            packed.Varint(((ulong)step.Length << 2) | (uint)step.Kind);
            if (step.Kind == StepKind.Copy)
            {
                packed.Signed((long)step.Source - source);
                packed.Signed(step.Offset - end);
                source = step.Source;
                end = step.Offset + step.Length;
            }
        }
        writer.WriteArrayHeader(4);
        writer.Write(value.FileId);
        packed.WriteTo(ref writer);
        writer.WriteBinHeader(value.Data.Length);
    }

    /// <summary>Everything after the literal bytes: the file's end, or nil.</summary>
    private static void WriteTail(ref MessagePackWriter writer, FilePlan value, MessagePackSerializerOptions options)
    {
        if (value.End is null)
        {
            writer.WriteNil();
        }
        else
        {
            options.Resolver.GetFormatterWithVerify<FileEnd>().Serialize(ref writer, value.End, options);
        }
    }

    /// <inheritdoc/>
    protected override FilePlan Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        PackedReader.ExpectArray(ref reader, 4, nameof(FilePlan));
        int fileId = reader.ReadInt32();
        ReadOnlyMemory<byte> body = PackedReader.ReadBody(ref reader);
        ReadOnlyMemory<byte> data = PackedReader.ReadBody(ref reader);
        FileEnd? fileEnd = reader.TryReadNil() ? null : options.Resolver.GetFormatterWithVerify<FileEnd>().Deserialize(ref reader, options);
        var packed = new PackedReader(body.Span);
        var steps = new PlanStep[packed.Count(minBytesEach: 1)];
        long source = 0;
        long end = 0;
        for (int i = 0; i < steps.Length; i++)
        {
            ulong head = packed.Varint();
            var kind = (StepKind)(head & 3);
            long length = (long)(head >> 2);
            switch (kind)
            {
                case StepKind.Copy:
                    source = checked(source + packed.Signed());
                    long offset = checked(end + packed.Signed());
                    if (source is < int.MinValue or > int.MaxValue || offset < 0)
                    {
                        throw new MessagePackSerializationException("A plan step copies from an impossible place.");
                    }
                    steps[i] = PlanStep.Copy((int)source, offset, length);
                    end = checked(offset + length);
                    break;
                case StepKind.Literal:
                    steps[i] = PlanStep.Literal(length);
                    break;
                case StepKind.Zero:
                    steps[i] = PlanStep.Zero(length);
                    break;
                default:
                    throw new MessagePackSerializationException($"A plan step has unknown kind {(int)kind}.");
            }
        }
        packed.ExpectEnd();
        return new FilePlan { FileId = fileId, Steps = steps, Data = data, End = fileEnd };
    }
}
