using System.Buffers;
using System.Buffers.Binary;

namespace Rpc25519.Messages;

/// <summary>
/// Checks the structure of one MessagePack value before <see cref="MessagePack.MessagePackReader"/> reads it: every
/// declared string, binary and extension length fits in the bytes that follow, every array or map count could be
/// filled by them, nesting stays shallow, and no reserved type byte appears. The reader trusts declared lengths (it
/// throws <see cref="ArgumentOutOfRangeException"/> past the end, rents a buffer of the declared size for a string
/// split across segments, and skips unknown values by recursion), so a body is checked here first, in one iterative
/// pass that allocates nothing.
/// </summary>
internal static class MessagePackShape
{
    /// <summary>Deepest nesting of arrays and maps a message may have (a message header is two deep; args three).</summary>
    public const int MaxDepth = 32;

    /// <summary>Checks the value at the start of <paramref name="body"/>; what follows it is not looked at.</summary>
    /// <param name="body">The bytes of the value.</param>
    /// <param name="missingTailBytes">Bytes of the value that are not in <paramref name="body"/> yet: they may only be
    /// the end of a binary value that is the very last thing in it (a payload still being decompressed). 0 for a whole
    /// value.</param>
    /// <exception cref="RpcProtocolException"><see cref="ProtocolViolation.UndecodableBody"/>: the value is truncated,
    /// nested too deeply, or uses the reserved type byte 0xC1.</exception>
    public static void Check(in ReadOnlySequence<byte> body, long missingTailBytes = 0)
    {
        var reader = new SequenceReader<byte>(body);
        Span<long> pending = stackalloc long[MaxDepth + 1];
        int depth = 0;
        pending[0] = 1;
        while (true)
        {
            while (pending[depth] == 0)
            {
                if (depth == 0)
                {
                    return;
                }
                depth--;
            }
            pending[depth]--;
            if (!reader.TryRead(out byte type))
            {
                throw Bad("it ends in the middle of a value");
            }
            long skip;
            long children = 0;
            switch (type)
            {
                case <= 0x7F or >= 0xE0 or 0xC0 or 0xC2 or 0xC3:
                    skip = 0;
                    break;
                case <= 0x8F:
                    children = 2L * (type & 0x0F);
                    skip = 0;
                    break;
                case <= 0x9F:
                    children = type & 0x0F;
                    skip = 0;
                    break;
                case <= 0xBF:
                    skip = type & 0x1F;
                    break;
                case 0xC1:
                    throw Bad("it uses the reserved type byte 0xC1");
                case 0xC4 or 0xD9:
                    skip = Length(ref reader, 1);
                    break;
                case 0xC5 or 0xDA:
                    skip = Length(ref reader, 2);
                    break;
                case 0xC6 or 0xDB:
                    skip = Length(ref reader, 4);
                    break;
                case 0xC7:
                    skip = Length(ref reader, 1) + 1;
                    break;
                case 0xC8:
                    skip = Length(ref reader, 2) + 1;
                    break;
                case 0xC9:
                    skip = Length(ref reader, 4) + 1;
                    break;
                case 0xCA or 0xCE or 0xD2:
                    skip = 4;
                    break;
                case 0xCB or 0xCF or 0xD3:
                    skip = 8;
                    break;
                case 0xCC or 0xD0:
                    skip = 1;
                    break;
                case 0xCD or 0xD1:
                    skip = 2;
                    break;
                case 0xD4:
                    skip = 2;
                    break;
                case 0xD5:
                    skip = 3;
                    break;
                case 0xD6:
                    skip = 5;
                    break;
                case 0xD7:
                    skip = 9;
                    break;
                case 0xD8:
                    skip = 17;
                    break;
                case 0xDC:
                    children = Length(ref reader, 2);
                    skip = 0;
                    break;
                case 0xDD:
                    children = Length(ref reader, 4);
                    skip = 0;
                    break;
                case 0xDE:
                    children = 2 * Length(ref reader, 2);
                    skip = 0;
                    break;
                default: // 0xDF
                    children = 2 * Length(ref reader, 4);
                    skip = 0;
                    break;
            }
            if (skip > reader.Remaining && missingTailBytes > 0 && type is 0xC4 or 0xC5 or 0xC6
                && skip == reader.Remaining + missingTailBytes && NothingPending(pending[..(depth + 1)]))
            {
                return;
            }
            if (skip > reader.Remaining)
            {
                throw Bad($"a value declares {skip} bytes where {reader.Remaining} remain");
            }
            reader.Advance(skip);
            if (children > 0)
            {
                // Every element takes at least one byte: a count the rest of the body cannot hold is a lie.
                if (children > reader.Remaining)
                {
                    throw Bad($"an array or map declares {children} elements where {reader.Remaining} bytes remain");
                }
                if (depth == MaxDepth)
                {
                    throw Bad($"arrays and maps nest deeper than {MaxDepth}");
                }
                pending[++depth] = children;
            }
        }
    }

    private static bool NothingPending(ReadOnlySpan<long> pending)
    {
        foreach (long count in pending)
        {
            if (count != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static long Length(ref SequenceReader<byte> reader, int width)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (!reader.TryCopyTo(bytes[..width]))
        {
            throw Bad("it ends in the middle of a length");
        }
        reader.Advance(width);
        return width switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
    }

    private static RpcProtocolException Bad(string why) =>
        new(ProtocolViolation.UndecodableBody, $"Frame body is not a valid Rpc25519 message: {why}.");
}
