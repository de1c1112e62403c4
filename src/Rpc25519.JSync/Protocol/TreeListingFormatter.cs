using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Writes a <see cref="TreeListing"/> compactly: each entry's path shares its prefix with the previous one (scan order
/// keeps siblings together), the mtime is a delta in whole seconds from the previous entry plus nanoseconds only when
/// there are any, and the mode only when it differs from the previous entry's. A typical entry costs its file name plus
/// about six bytes, instead of about forty as a plain MessagePack object.
/// </summary>
internal sealed class TreeListingFormatter : PackedFormatter<TreeListing>
{
    private const byte ModeFlag = 4, LinkFlag = 8, HashFlag = 16, NanosFlag = 32;
    private const long NsPerSecond = 1_000_000_000;

    /// <inheritdoc/>
    protected override void Write(ref MessagePackWriter writer, TreeListing value, MessagePackSerializerOptions options)
    {
        var packed = new PackedWriter(value.Entries.Length * 24);
        packed.Varint((ulong)value.Entries.Length);
        long previousSeconds = 0;
        int previousMode = 0;
        Span<byte> hashBytes = stackalloc byte[ChunkHash.Size];
        foreach (TreeEntry e in value.Entries)
        {
            long seconds = Math.DivRem(e.MtimeNs, NsPerSecond, out long nanos);
            if (nanos < 0)
            {
                seconds--;
                nanos += NsPerSecond;
            }
            byte flags = (byte)((int)e.Kind & 3);
            flags |= e.Mode != previousMode ? ModeFlag : (byte)0;
            flags |= e.LinkTarget is not null ? LinkFlag : (byte)0;
            flags |= e.FileHash is not null ? HashFlag : (byte)0;
            flags |= nanos != 0 ? NanosFlag : (byte)0;
            packed.Byte(flags);
            packed.Path(e.Path);
            if (e.Kind == EntryKind.File)
            {
                packed.Varint(e.Size);
            }
            packed.Signed(seconds - previousSeconds);
            previousSeconds = seconds;
            if (nanos != 0)
            {
                packed.Varint((ulong)nanos);
            }
            if (e.Mode != previousMode)
            {
                packed.Varint((ulong)(uint)e.Mode);
                previousMode = e.Mode;
            }
            if (e.LinkTarget is not null)
            {
                packed.String(e.LinkTarget);
            }
            if (e.FileHash is { } hash)
            {
                hash.CopyTo(hashBytes);
                packed.Bytes(hashBytes);
            }
        }
        packed.WriteBatchTo(ref writer, value.IsLast);
    }

    /// <inheritdoc/>
    protected override TreeListing Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var packed = new PackedReader(PackedReader.ReadBatch(ref reader, nameof(TreeListing), out bool isLast).Span);
        var entries = new TreeEntry[packed.Count(minBytesEach: 4)];
        long seconds = 0;
        int mode = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            byte flags = packed.Byte();
            var kind = (EntryKind)(flags & 3);
            if (kind > EntryKind.Symlink || flags > 63)
            {
                throw new MessagePackSerializationException($"A listing entry has unknown flags {flags}.");
            }
            string path = packed.Path();
            long size = kind == EntryKind.File ? packed.Long() : 0;
            seconds += packed.Signed();
            long nanos = (flags & NanosFlag) != 0 ? packed.Long() : 0;
            if (nanos >= NsPerSecond)
            {
                throw new MessagePackSerializationException("A listing entry has more than a second of nanoseconds.");
            }
            if ((flags & ModeFlag) != 0)
            {
                mode = (int)(uint)packed.Varint();
            }
            string? link = (flags & LinkFlag) != 0 ? packed.String() : null;
            ChunkHash? hash = (flags & HashFlag) != 0 ? new ChunkHash(packed.Bytes(ChunkHash.Size)) : null;
            entries[i] = new TreeEntry
            {
                Path = path, Kind = kind, Size = size, MtimeNs = unchecked((seconds * NsPerSecond) + nanos), Mode = mode,
                LinkTarget = link, FileHash = hash,
            };
        }
        packed.ExpectEnd();
        return new TreeListing { Entries = entries, IsLast = isLast };
    }
}
