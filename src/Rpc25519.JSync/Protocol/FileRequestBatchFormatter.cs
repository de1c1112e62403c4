using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Writes a <see cref="FileRequestBatch"/> compactly: file ids as deltas and prefix-shared paths.</summary>
internal sealed class FileRequestBatchFormatter : PackedFormatter<FileRequestBatch>
{
    /// <inheritdoc/>
    protected override void Write(ref MessagePackWriter writer, FileRequestBatch value, MessagePackSerializerOptions options)
    {
        var packed = new PackedWriter(value.Requests.Length * 16 + 4);
        packed.Varint((ulong)value.Requests.Length);
        long id = -1;
        foreach (FileRequest r in value.Requests)
        {
            long delta = r.FileId - id - 1; // 0 for consecutive ids
            ulong zigzag = (ulong)((delta << 1) ^ (delta >> 63));
            packed.Varint((zigzag << 1) | (r.NoReuse ? 1UL : 0));
            packed.Path(r.Path);
            id = r.FileId;
        }
        packed.WriteBatchTo(ref writer, value.IsLast);
    }

    /// <inheritdoc/>
    protected override FileRequestBatch Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var packed = new PackedReader(PackedReader.ReadBatch(ref reader, nameof(FileRequestBatch), out bool isLast).Span);
        var requests = new FileRequest[packed.Count(minBytesEach: 3)];
        long id = -1;
        for (int i = 0; i < requests.Length; i++)
        {
            ulong head = packed.Varint();
            ulong zigzag = head >> 1;
            id = checked(id + 1 + ((long)(zigzag >> 1) ^ -(long)(zigzag & 1)));
            if (id is < int.MinValue or > int.MaxValue)
            {
                throw new MessagePackSerializationException("A file request has an impossible file id.");
            }
            requests[i] = new FileRequest { FileId = (int)id, Path = packed.Path(), NoReuse = (head & 1) != 0 };
        }
        packed.ExpectEnd();
        return new FileRequestBatch { Requests = requests, IsLast = isLast };
    }
}
