using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;
using Snappier;
using ZstdSharp;

namespace Rpc25519.Compression;

/// <summary>
/// Expands a compressed frame body (see <see cref="FrameCompressor"/> for the layout) into a pooled buffer, refusing
/// any body that claims, or turns out, to expand past the receiver's frame limit.
/// </summary>
/// <remarks>Static and thread-safe; the zstd decompressor is kept one per thread.</remarks>
internal static class FrameDecompressor
{
    /// <summary>Buffers up to this size come from the shared pool; larger ones are allocated and left to the GC, so
    /// that one large frame does not keep its memory in the process for good.</summary>
    private const int PooledBytesMax = 1024 * 1024;

    [ThreadStatic]
    private static Decompressor? t_zstd;

    /// <summary>Gives back a buffer returned by <see cref="Decompress"/>.</summary>
    public static void ReturnBuffer(byte[] buffer)
    {
        if (buffer.Length <= PooledBytesMax)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Decompresses <paramref name="body"/>. Returns a buffer (give it back with <see cref="ReturnBuffer"/>) whose first
    /// <paramref name="length"/> bytes are the original body.
    /// </summary>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.BadCompression"/>: unknown algorithm,
    /// corrupt data, or a decompression bomb (declared or actual size over <paramref name="maxBytes"/>).</exception>
    public static byte[] Decompress(CompressionAlgo algo, in ReadOnlySequence<byte> body, int maxBytes, out int length)
    {
        length = DeclaredLength(algo, body, maxBytes);
        ReadOnlySequence<byte> block = body.Slice(FrameCompressor.LengthPrefixBytes);
        byte[]? joined = null;
        byte[]? output = null;
        try
        {
            ReadOnlySpan<byte> source;
            if (block.IsSingleSegment)
            {
                source = block.FirstSpan;
            }
            else
            {
                joined = RentBuffer((int)block.Length);
                block.CopyTo(joined);
                source = joined.AsSpan(0, (int)block.Length);
            }
            // Before renting the declared size: the codec block must be able to expand to it.
            CheckPlausible(algo, source, length);
            output = RentBuffer(Math.Max(length, 1));
            int produced = Expand(algo, source, output.AsSpan(0, length));
            if (produced != length)
            {
                throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame expanded to {produced} bytes, not the " +
                    $"{length} it declared (corrupt, or more than the limit).");
            }
            return output;
        }
        catch (Exception e) when (e is not RpcProtocolException)
        {
            ReturnIfRented(output);
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame does not decompress: {e.Message}", e);
        }
        catch
        {
            ReturnIfRented(output);
            throw;
        }
        finally
        {
            if (joined is not null)
            {
                ReturnBuffer(joined);
            }
        }
    }

    /// <summary>
    /// The decompressed length <paramref name="body"/> declares, after the checks that need no decompression: a known
    /// algorithm, a length prefix, a length within <paramref name="maxBytes"/> and one its codec block could reach.
    /// </summary>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.BadCompression"/>: a check failed.</exception>
    public static int DeclaredLength(CompressionAlgo algo, in ReadOnlySequence<byte> body, int maxBytes)
    {
        if (algo is < CompressionAlgo.Snappy or > CompressionAlgo.Zstd11)
        {
            throw Bad($"Frame uses compression {(byte)algo}, which this build does not know.");
        }
        if (body.Length < FrameCompressor.LengthPrefixBytes)
        {
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame body is too short to hold its length.");
        }
        Span<byte> prefix = stackalloc byte[FrameCompressor.LengthPrefixBytes];
        body.Slice(0, FrameCompressor.LengthPrefixBytes).CopyTo(prefix);
        int length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 0 || length > maxBytes)
        {
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame would expand to {(uint)length} bytes, over " +
                $"the limit of {maxBytes} (RpcOptions.MaxFrameBytes): refusing a possible decompression bomb.");
        }
        long blockBytes = body.Length - FrameCompressor.LengthPrefixBytes;
        if (length > MaxExpansion(algo, blockBytes))
        {
            // No input of this size can expand that far in this format: refuse before allocating anything for it.
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame of {blockBytes} bytes claims to expand to " +
                $"{length} bytes, more than the format allows: refusing a possible decompression bomb.");
        }
        return length;
    }

    /// <summary>The most that <paramref name="compressedBytes"/> of input can expand to in a format (with slack): a
    /// snappy copy of up to 64 bytes costs at least 2 bytes, an LZ4 run gains at most 255 bytes per byte, and a zstd
    /// RLE block of 4 bytes stands for at most 128 KiB.</summary>
    private static long MaxExpansion(CompressionAlgo algo, long compressedBytes) => algo switch
    {
        CompressionAlgo.Snappy => compressedBytes * 32 + 1024,
        CompressionAlgo.Lz4 => compressedBytes * 256 + 1024,
        _ => compressedBytes * 32 * 1024 + 128 * 1024,
    };

    private static byte[] RentBuffer(int length) => length <= PooledBytesMax
        ? ArrayPool<byte>.Shared.Rent(length)
        : GC.AllocateUninitializedArray<byte>(length);

    /// <summary>
    /// Refuses a declared length that <paramref name="source"/> cannot expand to, so that a few bytes cannot make the
    /// receiver rent the frame limit: snappy and zstd carry the uncompressed length themselves (it must agree), a snappy
    /// block expands at most about 21 times (a 3-byte copy makes 64 bytes) and an LZ4 block about 255 times (each extra
    /// length byte makes 255). Zstd can legitimately expand far more; its memory is bounded by the frame limit.
    /// </summary>
    /// <exception cref="RpcProtocolException">The declared length is impossible.</exception>
    public static void CheckPlausible(CompressionAlgo algo, ReadOnlySpan<byte> source, int length)
    {
        long own;
        try
        {
            own = algo switch
            {
                CompressionAlgo.Snappy => length <= MaxSnappyRatio * (long)source.Length + RatioSlack
                    ? Snappy.GetUncompressedLength(source)
                    : -1,
                CompressionAlgo.Lz4 => length <= MaxLz4Ratio * (long)source.Length + RatioSlack ? length : -1,
                _ => (long)Math.Min(Decompressor.GetDecompressedSize(source), long.MaxValue),
            };
        }
        catch (Exception e) when (e is ZstdException or InvalidDataException or ArgumentException)
        {
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame's block does not say how large it is: " +
                $"{e.Message}", e);
        }
        if (own != length)
        {
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame declares {length} bytes, which its " +
                $"{source.Length}-byte block cannot expand to (the block says {own}).");
        }
    }

    /// <summary>Most an LZ4 block can expand, per compressed byte (plus <see cref="RatioSlack"/>).</summary>
    private const long MaxLz4Ratio = 256;

    /// <summary>Most a snappy block can expand, per compressed byte (plus <see cref="RatioSlack"/>).</summary>
    private const long MaxSnappyRatio = 22;

    private const long RatioSlack = 64;

    private static void ReturnIfRented(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ReturnBuffer(buffer);
        }
    }

    /// <summary>Returns the bytes written to <paramref name="destination"/>, or −1 when they would not fit or the
    /// input is corrupt. Never writes past <paramref name="destination"/>.</summary>
    private static int Expand(CompressionAlgo algo, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (algo)
        {
            case CompressionAlgo.Snappy:
                return Snappy.TryDecompress(source, destination, out int written) ? written : -1;
            case CompressionAlgo.Lz4:
                return LZ4Codec.Decode(source, destination);
            default:
                return (t_zstd ??= new Decompressor()).Unwrap(source, destination);
        }
    }

    public static RpcProtocolException Bad(string message, Exception? inner = null) =>
        new(ProtocolViolation.BadCompression, message, inner);
}
