using System.Buffers;
using System.Buffers.Binary;

namespace Rpc25519.JSync.Hashing;

/// <summary>
/// The whole-file digest, fed in order as the file streams past: BLAKE3 over the file's length (8 bytes, little-endian)
/// followed by the BLAKE3 digest of each 1 MiB block (the last one shorter). A two-level hash list, like BLAKE3's own
/// tree with 1 MiB leaves; it is as collision-resistant as BLAKE3 and independent of chunk boundaries.
/// </summary>
/// <remarks>
/// Why not plain BLAKE3 of the stream: the managed <c>Blake3</c> package hashes a whole buffer with SIMD about six
/// times faster than its incremental hasher absorbs the same bytes (measured here: ~2.6 GB/s against ~0.35–0.45 GB/s),
/// and the whole-file digest is on the hot path of every transfer. A run of zeros costs nothing for whole zero blocks.
/// </remarks>
internal sealed class FileHasher : IDisposable
{
    /// <summary>Leaf size of the hash list.</summary>
    public const int BlockSize = 1024 * 1024;

    private static readonly ChunkHash ZeroBlockHash = ChunkHash.Of(new byte[BlockSize]);

    private readonly Blake3.Hasher _list = Blake3.Hasher.New();
    private byte[] _block = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int _filled;
    private long _length;

    /// <summary>How many bytes were fed so far.</summary>
    public long Length => _length;

    /// <summary>The digest of a whole buffer.</summary>
    public static ChunkHash HashOf(ReadOnlySpan<byte> data)
    {
        using var hasher = new FileHasher();
        hasher.Update(data);
        return hasher.Finish();
    }

    /// <summary>Feeds the next bytes of the file.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        while (data.Length > 0)
        {
            if (_filled == 0 && data.Length >= BlockSize)
            {
                AppendLeaf(ChunkHash.Of(data[..BlockSize]));
                data = data[BlockSize..];
                continue;
            }
            int n = Math.Min(data.Length, BlockSize - _filled);
            data[..n].CopyTo(_block.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == BlockSize)
            {
                AppendLeaf(ChunkHash.Of(_block.AsSpan(0, BlockSize)));
                _filled = 0;
            }
        }
    }

    /// <summary>Feeds <paramref name="count"/> zero bytes (a hole); whole zero blocks cost one precomputed digest.</summary>
    public void UpdateZeros(long count)
    {
        while (count > 0)
        {
            if (_filled == 0 && count >= BlockSize)
            {
                AppendLeaf(ZeroBlockHash);
                _length += BlockSize;
                count -= BlockSize;
                continue;
            }
            int n = (int)Math.Min(count, Math.Min(BlockSize - _filled, ZeroBlock.Span.Length));
            Update(ZeroBlock.Span[..n]);
            count -= n;
        }
    }

    /// <summary>The digest of everything fed so far. Call once.</summary>
    public ChunkHash Finish()
    {
        if (_filled > 0)
        {
            AppendLeaf(ChunkHash.Of(_block.AsSpan(0, _filled)));
            _filled = 0;
        }
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, _length);
        using Blake3.Hasher final = Blake3.Hasher.New();
        final.Update(length);
        Blake3.Hash leaves = _list.Finalize();
        final.Update(leaves.AsSpan());
        return new ChunkHash(final.Finalize().AsSpan());
    }

    private void AppendLeaf(ChunkHash leaf)
    {
        Span<byte> bytes = stackalloc byte[ChunkHash.Size];
        leaf.CopyTo(bytes);
        _list.Update(bytes);
    }

    /// <summary>Releases the hasher and the pooled block; safe to call twice.</summary>
    public void Dispose()
    {
        if (_block.Length > 0)
        {
            _list.Dispose();
            ArrayPool<byte>.Shared.Return(_block);
            _block = [];
        }
    }
}
