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

    /// <summary>
    /// The bytes decoding a frame of <paramref name="decodedBytes"/> may allocate at most: the message (its payload is
    /// copied out of the frame), plus for zstd the buffer for the fields before the payload and the decoder's window,
    /// plus for snappy and LZ4 the whole expanded body.
    /// </summary>
    public static long CostOf(byte compression, long decodedBytes) => compression switch
    {
        FrameBodyDecoder.NoCompression or (byte)CompressionAlgo.NoSystemCompression => decodedBytes,
        >= (byte)CompressionAlgo.Zstd01 and <= (byte)CompressionAlgo.Zstd11 => decodedBytes + HeadCost(decodedBytes)
            + Math.Min(decodedBytes + FirstHeadBytes, ZstdStreamDecoder.WorkingBytesMax),
        _ => 2 * decodedBytes,
    };

    /// <exception cref="RpcProtocolException">Unknown compression, a body that does not decompress to what it declares,
    /// or a body that is not a valid message.</exception>
    public static Message Decode(in FrameHeader header, in ReadOnlySequence<byte> body, int maxFrameBytes,
        DecodeContext context, MemoryBudget budget)
    {
        byte compression = header.Compression;
        if (compression is >= (byte)CompressionAlgo.Zstd01 and <= (byte)CompressionAlgo.Zstd11)
        {
            return DecodeZstd((CompressionAlgo)compression, body, maxFrameBytes, context, budget);
        }
        if (compression is FrameBodyDecoder.NoCompression or (byte)CompressionAlgo.NoSystemCompression)
        {
            return MessageCodec.Decode(body, context);
        }
        byte[] expanded = FrameDecompressor.Decompress((CompressionAlgo)compression, body, maxFrameBytes,
            out int length);
        budget.NoteDecodeBuffer(expanded.Length);
        try
        {
            return MessageCodec.Decode(new ReadOnlySequence<byte>(expanded, 0, length), context);
        }
        finally
        {
            budget.NoteDecodeBuffer(-expanded.Length);
            FrameDecompressor.ReturnBuffer(expanded);
        }
    }

    /// <summary>The buffer for the fields before a payload (a pooled array: a power of two).</summary>
    private static long HeadCost(long decodedBytes) =>
        Math.Min((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(decodedBytes, 1)), HeadBytesMax);

    private static Message DecodeZstd(CompressionAlgo algo, in ReadOnlySequence<byte> body, int maxFrameBytes,
        DecodeContext context, MemoryBudget budget)
    {
        int declared = FrameDecompressor.DeclaredLength(algo, body, maxFrameBytes);
        ReadOnlySequence<byte> block = body.Slice(FrameCompressor.LengthPrefixBytes);
        if (block.IsSingleSegment)
        {
            FrameDecompressor.CheckPlausible(algo, block.FirstSpan, declared);
        }
        using var zstd = new ZstdStreamDecoder(block);
        int headLimit = (int)HeadCost(declared);
        byte[] head = ArrayPool<byte>.Shared.Rent(Math.Min(headLimit, FirstHeadBytes));
        budget.NoteDecodeBuffer(head.Length);
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
                    return MessageCodec.Decode(new ReadOnlySequence<byte>(head, 0, produced), context);
                }
                if (TryDecodeWithPayloadLast(zstd, head, produced, declared, context, budget, headLimit,
                    out Message? message))
                {
                    return message;
                }
                // The fields before the payload go on past the first look: look further, once.
                byte[] bigger = ArrayPool<byte>.Shared.Rent(headLimit);
                budget.NoteDecodeBuffer(bigger.Length);
                head.AsSpan(0, produced).CopyTo(bigger);
                budget.NoteDecodeBuffer(-head.Length);
                ArrayPool<byte>.Shared.Return(head);
                head = bigger;
            }
        }
        finally
        {
            budget.NoteDecodeBuffer(-head.Length);
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    /// <summary>Decodes the fields in <paramref name="head"/> and decompresses the rest of the payload into the
    /// message's own array; false when the fields before the payload do not fit in <paramref name="head"/> yet and it
    /// can still grow.</summary>
    private static bool TryDecodeWithPayloadLast(ZstdStreamDecoder zstd, byte[] head, int produced, int declared,
        DecodeContext context, MemoryBudget budget, int headLimit,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message)
    {
        try
        {
            message = MessageCodec.DecodeWithTrailingPayload(new ReadOnlySequence<byte>(head, 0, produced),
                declared - produced, context, out int filled);
            budget.NoteDecodeBuffer(message.Payload.Length);
            try
            {
                if (zstd.Fill(message.Payload.AsSpan(filled)) != message.Payload.Length - filled)
                {
                    throw FrameDecompressor.Bad($"Compressed (zstd) frame ended before the {declared} bytes it " +
                        "declared (corrupt).");
                }
                zstd.EnsureEnded(declared);
            }
            finally
            {
                // From here on the payload is the message's: it is held under the frame's share of the budget.
                budget.NoteDecodeBuffer(-message.Payload.Length);
            }
            return true;
        }
        catch (RpcProtocolException e) when (e.Violation == ProtocolViolation.UndecodableBody && head.Length < headLimit)
        {
            message = null;
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
