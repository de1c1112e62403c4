using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;
using Rpc25519.Rpc;
using Snappier;
using ZstdSharp;

namespace Rpc25519.Compression;

/// <summary>
/// Compresses frame bodies. A compressed body is <c>uncompressed length (4, big-endian) | codec block</c>; the length
/// comes first so that a receiver can refuse a body that would expand past its limit before allocating anything.
/// </summary>
/// <remarks>
/// Static and thread-safe: the zstd compressors, which hold a few MiB of state at the higher levels, are kept one per
/// thread and level (not one per connection), so memory grows with the threads that send, not with the connections.
/// </remarks>
internal static class FrameCompressor
{
    /// <summary>Bytes of the uncompressed-length prefix.</summary>
    public const int LengthPrefixBytes = 4;

    /// <summary>Bodies smaller than this are sent as they are: the saving would not pay for the work.</summary>
    public const int MinBytesToCompress = 256;

    /// <summary>Bodies at least this large are first probed with a small LZ4 sample; random data is then skipped.</summary>
    private const int ProbeFromBytes = 32 * 1024;

    /// <summary>Bytes of the probe sample, taken from the middle of the body.</summary>
    private const int ProbeBytes = 4096;

    /// <summary>One zstd compressor per level (index = algo − <see cref="CompressionAlgo.Zstd01"/>) on this thread.</summary>
    [ThreadStatic]
    private static Compressor?[]? t_zstd;

    /// <summary>Scratch for the probe's output on this thread.</summary>
    [ThreadStatic]
    private static byte[]? t_probe;

    /// <summary>
    /// Appends the compressed form of <paramref name="source"/> to <paramref name="output"/> and returns its length,
    /// or returns 0 (writing nothing) when compressing would not make the body meaningfully smaller.
    /// </summary>
    public static int TryCompress(CompressionAlgo algo, ReadOnlySpan<byte> source, PooledBufferWriter output)
    {
        if (source.Length < MinBytesToCompress || (source.Length >= ProbeFromBytes && LooksIncompressible(source)))
        {
            return 0;
        }
        Span<byte> destination = output.GetSpan(LengthPrefixBytes + MaxCompressedLength(algo, source.Length));
        int written = CompressBlock(algo, source, destination[LengthPrefixBytes..]);
        // Keep the result only if it saves at least 1/32 of the body; otherwise the receiver's work is wasted.
        if (written <= 0 || LengthPrefixBytes + written > source.Length - (source.Length >> 5))
        {
            return 0;
        }
        BinaryPrimitives.WriteInt32BigEndian(destination, source.Length);
        output.Advance(LengthPrefixBytes + written);
        return LengthPrefixBytes + written;
    }

    /// <summary>
    /// Compresses <paramref name="head"/> followed by <paramref name="payload"/> as one zstd frame body (length prefix
    /// and block, as <see cref="TryCompress"/> writes it) without joining them first, into chunks: no buffer of the
    /// body's size is made. The compressor is made for this frame and freed at once, so its window (at most the body,
    /// and 4 MiB at the levels used) is held only while it runs. The payload is fed in slices of
    /// <see cref="SliceBytes"/> with a yield to the scheduler between them (when <paramref name="yieldBetweenSlices"/>),
    /// so that other work waiting on a busy machine is not held up behind a whole large frame. Returns the bytes
    /// written, or 0 (nothing kept) when compressing would not make the body meaningfully smaller.
    /// </summary>
    /// <remarks><paramref name="head"/> and <paramref name="payload"/> must not change until the task completes.
    /// </remarks>
    public static async ValueTask<int> TryCompressZstdInPiecesAsync(CompressionAlgo algo, ReadOnlyMemory<byte> head,
        ReadOnlyMemory<byte> payload, ChunkWriter output, bool yieldBetweenSlices)
    {
        int total = head.Length + payload.Length;
        ReadOnlyMemory<byte> larger = payload.Length >= head.Length ? payload : head;
        if (larger.Length >= ProbeFromBytes && LooksIncompressible(larger.Span))
        {
            return 0;
        }
        output.Reset();
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(LengthPrefixBytes), total);
        output.Advance(LengthPrefixBytes);
        int worthItBelow = total - (total >> 5);
        using var zstd = new Compressor(ZstdLevel(algo));
        zstd.SetPledgedSrcSize((ulong)total);
        bool worthIt = Feed(zstd, head.Span, output, payload.IsEmpty, worthItBelow);
        for (int at = 0; worthIt && at < payload.Length; at += SliceBytes)
        {
            if (yieldBetweenSlices && at > 0)
            {
                await Task.Yield();
            }
            int slice = Math.Min(SliceBytes, payload.Length - at);
            worthIt = Feed(zstd, payload.Span.Slice(at, slice), output, at + slice == payload.Length, worthItBelow);
        }
        if (!worthIt)
        {
            output.Reset();
            return 0;
        }
        return output.WrittenCount;
    }

    /// <summary>Bytes of payload compressed between two yields (about a millisecond of work at the levels used).
    /// </summary>
    public const int SliceBytes = 1024 * 1024;

    /// <summary>Gives <paramref name="input"/> to a streaming compressor (ending the frame when
    /// <paramref name="final"/>); false as soon as the output reaches <paramref name="outputBytesMax"/>.</summary>
    private static bool Feed(Compressor zstd, ReadOnlySpan<byte> input, ChunkWriter output, bool final,
        int outputBytesMax)
    {
        while (true)
        {
            OperationStatus status = zstd.WrapStream(input, output.GetSpan(1), out int consumed, out int written, final);
            output.Advance(written);
            input = input[consumed..];
            if (output.WrittenCount >= outputBytesMax)
            {
                return false;
            }
            if (final ? status == OperationStatus.Done : input.IsEmpty)
            {
                return true;
            }
            if (consumed == 0 && written == 0 && status == OperationStatus.InvalidData)
            {
                throw new InvalidOperationException("zstd refused to compress a frame body.");
            }
        }
    }

    /// <summary>Compresses a middle sample with LZ4 (the cheapest codec); less than 3% saved means "random".</summary>
    private static bool LooksIncompressible(ReadOnlySpan<byte> source)
    {
        ReadOnlySpan<byte> sample = source.Slice((source.Length - ProbeBytes) / 2, ProbeBytes);
        byte[] scratch = t_probe ??= new byte[LZ4Codec.MaximumOutputSize(ProbeBytes)];
        int written = LZ4Codec.Encode(sample, scratch);
        return written <= 0 || written > ProbeBytes - ProbeBytes / 32;
    }

    private static int MaxCompressedLength(CompressionAlgo algo, int length) => algo switch
    {
        CompressionAlgo.Snappy => Snappy.GetMaxCompressedLength(length),
        CompressionAlgo.Lz4 => LZ4Codec.MaximumOutputSize(length),
        _ => Compressor.GetCompressBound(length),
    };

    private static int CompressBlock(CompressionAlgo algo, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (algo)
        {
            case CompressionAlgo.Snappy:
                return Snappy.Compress(source, destination);
            case CompressionAlgo.Lz4:
                return LZ4Codec.Encode(source, destination, LZ4Level.L00_FAST);
            case CompressionAlgo.Zstd01 or CompressionAlgo.Zstd03 or CompressionAlgo.Zstd07 or CompressionAlgo.Zstd11:
                return Zstd(algo).Wrap(source, destination);
            default:
                throw new ArgumentOutOfRangeException(nameof(algo), algo, "Not a compressing algorithm.");
        }
    }

    private static Compressor Zstd(CompressionAlgo algo)
    {
        Compressor?[] perLevel = t_zstd ??= new Compressor?[4];
        int index = algo - CompressionAlgo.Zstd01;
        return perLevel[index] ??= new Compressor(ZstdLevel(algo));
    }

    /// <summary>The zstd level an algorithm names.</summary>
    public static int ZstdLevel(CompressionAlgo algo) => algo switch
    {
        CompressionAlgo.Zstd01 => 1,
        CompressionAlgo.Zstd03 => 3,
        CompressionAlgo.Zstd07 => 7,
        CompressionAlgo.Zstd11 => 11,
        _ => throw new ArgumentOutOfRangeException(nameof(algo), algo, "Not a zstd algorithm."),
    };
}
