using MessagePack;
using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Protocol;

/// <summary>Writes a <see cref="ChangeList"/> compactly: one byte of action and kind, and a prefix-shared path.</summary>
internal sealed class ChangeListFormatter : PackedFormatter<ChangeList>
{
    /// <inheritdoc/>
    protected override void Write(ref MessagePackWriter writer, ChangeList value, MessagePackSerializerOptions options)
    {
        var packed = new PackedWriter(value.Changes.Length * 16 + 4);
        packed.Varint((ulong)value.Changes.Length);
        foreach (SyncChange c in value.Changes)
        {
            packed.Varint(((ulong)(uint)c.Action << 2) | ((uint)c.Kind & 3));
            packed.Path(c.Path);
        }
        writer.WriteArrayHeader(1);
        packed.WriteTo(ref writer);
    }

    /// <inheritdoc/>
    protected override ChangeList Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        PackedReader.ExpectArray(ref reader, 1, nameof(ChangeList));
        ReadOnlyMemory<byte> body = PackedReader.ReadBody(ref reader);
        var packed = new PackedReader(body.Span);
        var changes = new SyncChange[packed.Count(minBytesEach: 3)];
        for (int i = 0; i < changes.Length; i++)
        {
            ulong head = packed.Varint();
            var action = (ChangeAction)(head >> 2);
            var kind = (EntryKind)(head & 3);
            if (!Enum.IsDefined(action) || !Enum.IsDefined(kind))
            {
                throw new MessagePackSerializationException($"A change has unknown action or kind ({head}).");
            }
            changes[i] = new SyncChange { Path = packed.Path(), Action = action, Kind = kind };
        }
        packed.ExpectEnd();
        return new ChangeList { Changes = changes };
    }
}
