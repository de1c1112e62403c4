namespace Rpc25519.Tube.Storage.Disks;

/// <summary>One simulated file's contents: what the process sees, and what survives a crash. A file is its written
/// bytes followed by zeros up to its size (a reserved, preallocated tail, held implicitly).</summary>
internal sealed class SimInode
{
    private const int SectorBytes = 512;

    /// <summary>The written bytes every reader sees, synced or not (valid up to <see cref="Length"/>).</summary>
    private byte[] current = new byte[256];

    /// <summary>The written bytes the last fsync made durable: what a crash leaves, before the zeros.</summary>
    public byte[] Durable { get; private set; } = [];

    /// <summary>The file's size as of the last fsync (at least <see cref="Durable"/>'s length).</summary>
    public int DurableSize { get; private set; }

    /// <summary>The written bytes (where the reserved zeros start).</summary>
    public int Length { get; private set; }

    /// <summary>The file's size: <see cref="Length"/> plus the reserved zeros.</summary>
    public int Size { get; private set; }

    public ReadOnlySpan<byte> Current => current.AsSpan(0, Length);

    /// <summary>The file as a reader sees it: the written bytes, then zeros up to the size.</summary>
    public byte[] Visible()
    {
        var bytes = new byte[Size];
        Current.CopyTo(bytes);
        return bytes;
    }

    /// <summary>The file as a crash now would leave it.</summary>
    public byte[] DurableVisible()
    {
        var bytes = new byte[DurableSize];
        Durable.CopyTo(bytes, 0);
        return bytes;
    }

    public void Append(ReadOnlySpan<byte> bytes) => WriteAt(Length, bytes);

    /// <summary>Writes at <paramref name="position"/> (at most the size), over reserved zeros or written bytes.</summary>
    public void WriteAt(int position, ReadOnlySpan<byte> bytes)
    {
        int end = position + bytes.Length;
        if (end > current.Length)
        {
            Array.Resize(ref current, Math.Max(current.Length * 2, end));
        }

        if (position > Length)
        {
            current.AsSpan(Length, position - Length).Clear();
        }

        bytes.CopyTo(current.AsSpan(position));
        Length = Math.Max(Length, end);
        Size = Math.Max(Size, Length);
    }

    /// <summary>Cuts (or grows with zeros) the file to <paramref name="size"/>.</summary>
    public void Truncate(int size)
    {
        Length = Math.Min(Length, size);
        Size = size;
    }

    /// <summary>Grows the size to at least <paramref name="size"/> with zeros (preallocation).</summary>
    public void Reserve(int size) => Size = Math.Max(Size, size);

    public void Sync()
    {
        Durable = Current.ToArray();
        DurableSize = Size;
    }

    /// <summary>Flips one durable byte (and the same byte of the current view, if it still has it).</summary>
    public void Flip(int offset, byte mask)
    {
        Durable[offset] ^= mask;
        if (offset < Length)
        {
            current[offset] ^= mask;
        }
    }

    /// <summary>How many unsynced bytes a write torn after <paramref name="cut"/> of them keeps: a
    /// write that grew the file keeps any prefix (the size came with it); one inside the durable size (a reserved
    /// tail) is cut at a 512-byte sector boundary of the file, as a disk writes whole sectors, and keeps zeros after
    /// it.</summary>
    public int TornKeep(int cut)
    {
        int end = Durable.Length + cut;
        if (end >= DurableSize)
        {
            return cut;
        }

        return Math.Max(Durable.Length, end / SectorBytes * SectorBytes) - Durable.Length;
    }

    /// <summary>Crash: back to the durable bytes and size, plus the first <paramref name="keptUnsyncedBytes"/> of an
    /// unsynced append (a torn write).</summary>
    public void Crash(int keptUnsyncedBytes)
    {
        var kept = Current.Slice(Durable.Length, keptUnsyncedBytes).ToArray();
        current = new byte[Math.Max(256, Durable.Length + kept.Length)];
        Length = 0;
        Size = 0;
        Append(Durable);
        Append(kept);
        Size = Math.Max(DurableSize, Length);
    }

    /// <summary>How many unsynced bytes were appended after the durable bytes (0 if the file was changed in
    /// another way, such as an unsynced truncation).</summary>
    public int UnsyncedAppendBytes() =>
        Length > Durable.Length && Current.Slice(0, Durable.Length).SequenceEqual(Durable)
            ? Length - Durable.Length
            : 0;
}
