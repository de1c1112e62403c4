namespace Rpc25519.Tube.Storage.Disks;

/// <summary>One simulated file's contents: what the process sees, and what survives a crash.</summary>
internal sealed class SimInode
{
    /// <summary>The bytes every reader sees, synced or not (valid up to <see cref="Length"/>).</summary>
    private byte[] current = new byte[256];

    /// <summary>The bytes the last fsync made durable: what a crash leaves.</summary>
    public byte[] Durable { get; private set; } = [];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Current => current.AsSpan(0, Length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (Length + bytes.Length > current.Length)
        {
            Array.Resize(ref current, Math.Max(current.Length * 2, Length + bytes.Length));
        }

        bytes.CopyTo(current.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Truncate(int length) => Length = Math.Min(length, Length);

    public void Sync() => Durable = Current.ToArray();

    /// <summary>Flips one durable byte (and the same byte of the current view, if it still has it).</summary>
    public void Flip(int offset, byte mask)
    {
        Durable[offset] ^= mask;
        if (offset < Length)
        {
            current[offset] ^= mask;
        }
    }

    /// <summary>Crash: back to the durable bytes, plus the first <paramref name="keptUnsyncedBytes"/> of an
    /// unsynced append (a torn write).</summary>
    public void Crash(int keptUnsyncedBytes)
    {
        var kept = Current.Slice(Durable.Length, keptUnsyncedBytes).ToArray();
        current = new byte[Math.Max(256, Durable.Length + kept.Length)];
        Length = 0;
        Append(Durable);
        Append(kept);
    }

    /// <summary>How many unsynced bytes were appended after the durable bytes (0 if the file was changed in
    /// another way, such as an unsynced truncation).</summary>
    public int UnsyncedAppendBytes() =>
        Length > Durable.Length && Current.Slice(0, Durable.Length).SequenceEqual(Durable)
            ? Length - Durable.Length
            : 0;
}
