using System.Buffers;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rpc25519.Compression;

/// <summary>
/// Decompresses one zstd frame piece by piece into buffers its caller chooses, never producing more than asked for.
/// Its own memory is the frame's window (refused above 2^<see cref="WindowLogMax"/> bytes) and a few blocks, held
/// only until it is disposed: this is how a large frame is decompressed straight into its message's payload, without
/// a buffer of the frame's whole decompressed size.
/// </summary>
/// <remarks>Not thread-safe: one per frame being decoded. Dispose it to free its native memory at once.</remarks>
internal sealed class ZstdStreamDecoder : IDisposable
{
    /// <summary>Largest window accepted: 8 MiB (Rpc25519's own levels use at most 4 MiB; 8 MiB is the default of
    /// common encoders).</summary>
    public const int WindowLogMax = 23;

    /// <summary>Most native memory a decoder holds: its window, two blocks of 128 KiB, and its tables (with slack).
    /// </summary>
    public const long WorkingBytesMax = (1L << WindowLogMax) + 512 * 1024;

    private readonly Decompressor _zstd = new();

    /// <summary>Compressed bytes not yet consumed.</summary>
    private ReadOnlySequence<byte> _input;

    /// <summary>Whether the frame has ended.</summary>
    private bool _ended;

    /// <param name="input">The compressed frame; it must stay valid until the decoder is disposed.</param>
    public ZstdStreamDecoder(in ReadOnlySequence<byte> input)
    {
        _zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, WindowLogMax);
        _input = input;
    }

    /// <summary>Decompresses into <paramref name="output"/> until it is full or the frame ends; returns the bytes
    /// written (fewer than its length only when the frame ended).</summary>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.BadCompression"/>: corrupt or truncated
    /// data, or a window over the limit.</exception>
    public int Fill(Span<byte> output)
    {
        int written = 0;
        while (written < output.Length && !_ended)
        {
            written += Step(output[written..]);
        }
        return written;
    }

    /// <summary>Checks that the frame has ended exactly here: it has no more output, and nothing follows it.</summary>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.BadCompression"/>: it has more output
    /// (more than its declared length), or bytes follow it.</exception>
    public void EnsureEnded(int declaredLength)
    {
        // With no room for output, zstd still reads what is left of the frame (its last block header, its checksum)
        // and says whether anything more would come out.
        long left = -1;
        while (!_ended && _input.Length != left)
        {
            left = _input.Length;
            Step([]);
        }
        if (!_ended)
        {
            throw FrameDecompressor.Bad($"Compressed (zstd) frame expands to more than the {declaredLength} bytes it " +
                "declared: refusing a possible decompression bomb.");
        }
        if (!_input.IsEmpty)
        {
            throw FrameDecompressor.Bad($"Compressed (zstd) frame has {_input.Length} bytes after its end.");
        }
    }

    public void Dispose() => _zstd.Dispose();

    /// <summary>The first non-empty segment of the input (offsets into the input are unchanged by empty ones).</summary>
    private ReadOnlySpan<byte> NextInput()
    {
        foreach (ReadOnlyMemory<byte> segment in _input)
        {
            if (!segment.IsEmpty)
            {
                return segment.Span;
            }
        }
        return [];
    }

    /// <summary>One call into zstd with the next input segment; returns the bytes written.</summary>
    private int Step(Span<byte> output)
    {
        OperationStatus status;
        int consumed;
        int produced;
        try
        {
            status = _zstd.UnwrapStream(NextInput(), output, out consumed, out produced);
        }
        catch (ZstdException e)
        {
            throw FrameDecompressor.Bad($"Compressed (zstd) frame does not decompress: {e.Message}", e);
        }
        _input = _input.Slice(consumed);
        switch (status)
        {
            case OperationStatus.Done:
                _ended = true;
                break;
            case OperationStatus.NeedMoreData when _input.IsEmpty:
                throw FrameDecompressor.Bad("Compressed (zstd) frame ends before its data does (truncated).");
            case OperationStatus.NeedMoreData or OperationStatus.DestinationTooSmall:
                if (consumed == 0 && produced == 0 && output.Length > 0)
                {
                    throw FrameDecompressor.Bad("Compressed (zstd) frame makes no progress (corrupt).");
                }
                break;
            default:
                throw FrameDecompressor.Bad("Compressed (zstd) frame does not decompress (corrupt data or a window " +
                    $"over {1 << (WindowLogMax - 20)} MiB).");
        }
        return produced;
    }
}
