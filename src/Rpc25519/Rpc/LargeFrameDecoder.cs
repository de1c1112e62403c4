using System.Buffers;
using System.Numerics;
using Rpc25519.Compression;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// Decodes a frame whose decoded size is at least <see cref="MemoryBudget.LargeFrameBytes"/> after its connection took
/// <see cref="CostOf"/> bytes from the <see cref="MemoryBudget"/>: everything the decoding allocates is within that.
/// A zstd body is decompressed piece by piece — the fields before the payload into a small buffer, then the payload
/// straight into the message's own array — so no buffer of the whole decompressed size exists besides the message.
/// Snappy and LZ4 blocks can only be expanded whole, into one buffer of the declared size, which their cost counts.
/// </summary>
/// <remarks>Static and thread-safe. Decompressed buffers are reported to the budget while they exist
/// (<see cref="MemoryBudget.DecodeBufferBytes"/>).</remarks>
internal static class LargeFrameDecoder
{
    /// <summary>Most bytes a compressed large frame may carry before its payload (its header and error fields).
    /// </summary>
    public const int HeadBytesMax = 1024 * 1024;

    /// <summary>How much of a compressed large frame is decompressed first to find its payload.</summary>
    private const int FirstHeadBytes = 64 * 1024;

    /// <summary>Bytes of payload decompressed between two yields (well under a millisecond of work).</summary>
    public const int SliceBytes = 1024 * 1024;

    /// <summary>
    /// The bytes decoding a frame of <paramref name="decodedBytes"/> may allocate at most: the message (its payload is
    /// copied out of the frame; its other fields become strings of up to twice their encoded size), plus for zstd the
    /// buffer for the fields before the payload and the decoder's window, plus for snappy and LZ4 the whole expanded
    /// body.
    /// </summary>
    public static long CostOf(byte compression, long decodedBytes) => compression switch
    {
        FrameBodyDecoder.NoCompression or (byte)CompressionAlgo.NoSystemCompression => 2 * decodedBytes,
        >= (byte)CompressionAlgo.Zstd01 and <= (byte)CompressionAlgo.Zstd11 => decodedBytes + 2 * HeadCost(decodedBytes)
            + Math.Min(decodedBytes + FirstHeadBytes, ZstdStreamDecoder.WorkingBytesMax),
        _ => 3 * decodedBytes,
    };

    /// <summary>What a decoded message of <paramref name="decodedBytes"/> on the wire holds at most: its payload, and
    /// its other fields as strings of up to twice their encoded size.</summary>
    public static long MessageCostOf(Message message, long decodedBytes) =>
        2 * decodedBytes - Math.Min(message.Payload.Length, decodedBytes);

    /// <summary>Decodes <paramref name="body"/>. A zstd payload is decompressed in slices of
    /// <see cref="SliceBytes"/>, yielding to the scheduler between them, so that other connections' work waiting on a
    /// busy machine is not held up behind a whole large frame.</summary>
    /// <param name="header">The frame's header.</param>
    /// <param name="body">The frame body; it must stay valid until the returned task completes.</param>
    /// <param name="maxFrameBytes">The receiver's frame limit.</param>
    /// <param name="context">The connection's decoder memory.</param>
    /// <param name="budget">The budget the frame's cost was taken from, told about decompressed buffers; null for
    /// none (a client decoding a reply it asked for).</param>
    /// <exception cref="RpcProtocolException">Unknown compression, a body that does not decompress to what it declares,
    /// or a body that is not a valid message.</exception>
    public static ValueTask<Message> DecodeAsync(FrameHeader header, ReadOnlySequence<byte> body, int maxFrameBytes,
        DecodeContext context, MemoryBudget? budget)
    {
        byte compression = header.Compression;
        if (compression is >= (byte)CompressionAlgo.Zstd01 and <= (byte)CompressionAlgo.Zstd11)
        {
            return DecodeZstdAsync((CompressionAlgo)compression, body, maxFrameBytes, context, budget);
        }
        return ValueTask.FromResult(Decode(header, body, maxFrameBytes, context, budget));
    }

    /// <summary>Decodes <paramref name="body"/> in one go (the fuzzer's and tests' entry point).</summary>
    /// <exception cref="RpcProtocolException">As <see cref="DecodeAsync"/>.</exception>
    public static Message Decode(in FrameHeader header, in ReadOnlySequence<byte> body, int maxFrameBytes,
        DecodeContext context, MemoryBudget? budget)
    {
        byte compression = header.Compression;
        if (compression is >= (byte)CompressionAlgo.Zstd01 and <= (byte)CompressionAlgo.Zstd11)
        {
            ValueTask<Message> decoded = DecodeZstdAsync((CompressionAlgo)compression, body, maxFrameBytes, context,
                budget, yieldBetweenSlices: false);
            // Without yields nothing in it waits: it has completed.
            System.Diagnostics.Debug.Assert(decoded.IsCompleted, "a decode without yields completes synchronously");
            return decoded.IsCompleted ? decoded.Result : throw new InvalidOperationException("Bug: decode did not complete.");
        }
        if (compression is FrameBodyDecoder.NoCompression or (byte)CompressionAlgo.NoSystemCompression)
        {
            return MessageCodec.Decode(body, context);
        }
        byte[] expanded = FrameDecompressor.Decompress((CompressionAlgo)compression, body, maxFrameBytes,
            out int length);
        budget?.NoteDecodeBuffer(expanded.Length);
        try
        {
            return MessageCodec.Decode(new ReadOnlySequence<byte>(expanded, 0, length), context);
        }
        finally
        {
            budget?.NoteDecodeBuffer(-expanded.Length);
            FrameDecompressor.ReturnBuffer(expanded);
        }
    }

    /// <summary>The buffer for the fields before a payload (a pooled array: a power of two).</summary>
    private static long HeadCost(long decodedBytes) =>
        Math.Min((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(decodedBytes, 1)), HeadBytesMax);

    private static async ValueTask<Message> DecodeZstdAsync(CompressionAlgo algo, ReadOnlySequence<byte> body,
        int maxFrameBytes, DecodeContext context, MemoryBudget? budget, bool yieldBetweenSlices = true)
    {
        int declared = FrameDecompressor.DeclaredLength(algo, body, maxFrameBytes);
        ReadOnlySequence<byte> block = body.Slice(FrameCompressor.LengthPrefixBytes);
        if (block.IsSingleSegment)
        {
            FrameDecompressor.CheckPlausible(algo, block.FirstSpan, declared);
        }
        using var zstd = new ZstdStreamDecoder(block);
        (Message message, int filled) = DecodeHead(zstd, declared, context, budget);
        budget?.NoteDecodeBuffer(message.Payload.Length);
        try
        {
            byte[] payload = message.Payload;
            for (int at = filled; at < payload.Length; at += SliceBytes)
            {
                int slice = Math.Min(SliceBytes, payload.Length - at);
                if (zstd.Fill(payload.AsSpan(at, slice)) != slice)
                {
                    throw FrameDecompressor.Bad($"Compressed (zstd) frame ended before the {declared} bytes it " +
                        "declared (corrupt).");
                }
                if (yieldBetweenSlices && at + slice < payload.Length)
                {
                    await Task.Yield();
                }
            }
            zstd.EnsureEnded(declared);
            return message;
        }
        finally
        {
            // From here on the payload is the message's: it is held under the frame's share of the budget.
            budget?.NoteDecodeBuffer(-message.Payload.Length);
        }
    }

    /// <summary>Decompresses the fields before the payload (looking further once if they do not fit the first look)
    /// and decodes them; returns the message, whose payload array has its full size, and how much of the payload was
    /// decompressed with them. A body with no payload beyond the look is decoded whole.</summary>
    private static (Message Message, int PayloadFilled) DecodeHead(ZstdStreamDecoder zstd, int declared,
        DecodeContext context, MemoryBudget? budget)
    {
        int headLimit = (int)HeadCost(declared);
        byte[] head = ArrayPool<byte>.Shared.Rent(Math.Min(headLimit, FirstHeadBytes));
        budget?.NoteDecodeBuffer(head.Length);
        int produced = 0;
        try
        {
            while (true)
            {
                int wanted = Math.Min(head.Length, declared);
                produced += zstd.Fill(head.AsSpan(produced, wanted - produced));
                if (produced < wanted)
                {
                    throw FrameDecompressor.Bad($"Compressed (zstd) frame expanded to {produced} bytes, not the " +
                        $"{declared} it declared (corrupt).");
                }
                if (produced == declared)
                {
                    zstd.EnsureEnded(declared);
                    Message whole = MessageCodec.Decode(new ReadOnlySequence<byte>(head, 0, produced), context);
                    return (whole, whole.Payload.Length);
                }
                if (TryDecodeWithPayloadLast(head, produced, declared, context, headLimit, out Message? message,
                    out int filled))
                {
                    return (message, filled);
                }
                // The fields before the payload go on past the first look: look further, once.
                byte[] bigger = ArrayPool<byte>.Shared.Rent(headLimit);
                budget?.NoteDecodeBuffer(bigger.Length);
                head.AsSpan(0, produced).CopyTo(bigger);
                budget?.NoteDecodeBuffer(-head.Length);
                ArrayPool<byte>.Shared.Return(head);
                head = bigger;
            }
        }
        finally
        {
            budget?.NoteDecodeBuffer(-head.Length);
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    /// <summary>Decodes the fields in <paramref name="head"/>, the payload last and only partly there; false when
    /// they do not fit in <paramref name="head"/> yet and it can still grow.</summary>
    private static bool TryDecodeWithPayloadLast(byte[] head, int produced, int declared, DecodeContext context,
        int headLimit, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message, out int filled)
    {
        try
        {
            message = MessageCodec.DecodeWithTrailingPayload(new ReadOnlySequence<byte>(head, 0, produced),
                declared - produced, context, out filled);
            return true;
        }
        catch (RpcProtocolException e) when (e.Violation == ProtocolViolation.UndecodableBody && head.Length < headLimit)
        {
            message = null;
            filled = 0;
            return false;
        }
        catch (RpcProtocolException e) when (e.Violation == ProtocolViolation.UndecodableBody)
        {
            throw new RpcProtocolException(ProtocolViolation.UndecodableBody,
                $"A compressed frame of {declared} bytes must carry its payload last, after at most {HeadBytesMax} " +
                $"bytes of other fields (as Rpc25519 senders do): {e.Message}", e);
        }
    }
}
