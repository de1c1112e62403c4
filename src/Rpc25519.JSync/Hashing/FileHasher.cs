namespace Rpc25519.JSync.Hashing;

/// <summary>
/// An incremental BLAKE3 over a whole file, fed in order as the file streams past. Owns the hasher's native-free
/// state; dispose it when done.
/// </summary>
internal sealed class FileHasher : IDisposable
{
    private Blake3.Hasher _hasher = Blake3.Hasher.New();
    private long _length;

    /// <summary>How many bytes were fed so far.</summary>
    public long Length => _length;

    /// <summary>Feeds the next bytes of the file.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        _hasher.Update(data);
        _length += data.Length;
    }

    /// <summary>Feeds <paramref name="count"/> zero bytes (a hole) without a buffer of that size.</summary>
    public void UpdateZeros(long count)
    {
        ReadOnlySpan<byte> zeros = ZeroBlock.Span;
        while (count > 0)
        {
            int n = (int)Math.Min(count, zeros.Length);
            Update(zeros[..n]);
            count -= n;
        }
    }

    /// <summary>The digest of everything fed so far.</summary>
    public ChunkHash Finish()
    {
        Blake3.Hash h = _hasher.Finalize();
        return new ChunkHash(h.AsSpan());
    }

    /// <inheritdoc/>
    public void Dispose() => _hasher.Dispose();
}
