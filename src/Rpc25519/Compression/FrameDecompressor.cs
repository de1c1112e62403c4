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
    [ThreadStatic]
    private static Decompressor? t_zstd;

    /// <summary>
    /// Decompresses <paramref name="body"/>. Returns a buffer rented from <see cref="ArrayPool{T}.Shared"/> whose first
    /// <paramref name="length"/> bytes are the original body; the caller returns it to the pool.
    /// </summary>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.BadCompression"/>: unknown algorithm,
    /// corrupt data, or a decompression bomb (declared or actual size over <paramref name="maxBytes"/>).</exception>
    public static byte[] Decompress(CompressionAlgo algo, in ReadOnlySequence<byte> body, int maxBytes, out int length)
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
        length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 0 || length > maxBytes)
        {
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame would expand to {(uint)length} bytes, over " +
                $"the limit of {maxBytes} (RpcOptions.MaxFrameBytes): refusing a possible decompression bomb.");
        }
        ReadOnlySequence<byte> block = body.Slice(FrameCompressor.LengthPrefixBytes);
        byte[]? joined = null;
        byte[] output = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            ReadOnlySpan<byte> source;
            if (block.IsSingleSegment)
            {
                source = block.FirstSpan;
            }
            else
            {
                joined = ArrayPool<byte>.Shared.Rent((int)block.Length);
                block.CopyTo(joined);
                source = joined.AsSpan(0, (int)block.Length);
            }
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
            ArrayPool<byte>.Shared.Return(output);
            throw Bad($"Compressed ({CompressionNames.ToName(algo)}) frame does not decompress: {e.Message}", e);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(output);
            throw;
        }
        finally
        {
            if (joined is not null)
            {
                ArrayPool<byte>.Shared.Return(joined);
            }
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

    private static RpcProtocolException Bad(string message, Exception? inner = null) =>
        new(ProtocolViolation.BadCompression, message, inner);
}
