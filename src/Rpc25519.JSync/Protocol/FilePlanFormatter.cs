using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Writes a <see cref="FilePlan"/> compactly: each step as one varint of length and kind, and a copy's source and
/// offset as deltas from the previous copy (consecutive copies from one source cost two bytes plus the length).
/// </summary>
internal sealed class FilePlanFormatter : PackedFormatter<FilePlan>
{
    /// <inheritdoc/>
    protected override void Write(ref MessagePackWriter writer, FilePlan value, MessagePackSerializerOptions options)
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
        writer.Write(value.Data.Span);
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
