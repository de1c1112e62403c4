using System.Buffers.Binary;

namespace Rpc25519.Fuzz;

/// <summary>A small deterministic PRNG (SplitMix64): the same seed gives the same inputs on every runtime.</summary>
public sealed class FuzzRandom
{
    private ulong _state;

    public FuzzRandom(ulong seed) => _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="bound"/>).</summary>
    public int Below(int bound) => bound <= 1 ? 0 : (int)(Next() % (ulong)bound);

    public bool Chance(int oneIn) => Below(oneIn) == 0;
}

/// <summary>
/// Mutates corpus entries: bit flips, byte sets to interesting values, inserts, deletes, duplicated ranges,
/// length-field edits (big- and little-endian 16/32-bit, MessagePack and varint headers), truncation and splices of two
/// corpus entries. One to four mutations are stacked per input.
/// </summary>
public sealed class Mutator
{
    /// <summary>Inputs never grow past this.</summary>
    public const int MaxInputBytes = 64 * 1024;

    private static readonly byte[] InterestingBytes =
        [0x00, 0x01, 0x02, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x10, 0x20, 0x40, 0xC0, 0xC1, 0xC4, 0xC5, 0xC6, 0xCC, 0xCD,
         0xCE, 0xCF, 0xD0, 0xD3, 0xD4, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0x90, 0x9F, 0x80,
         0x8F, 0xA0, 0xBF, 0xE0, 0x16, 0x17, 0x15, 0x03, 0x0A, 0x28, 0x29, 0x22, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2D];

    private static readonly int[] InterestingInts =
        [0, 1, -1, 2, 15, 16, 17, 31, 32, 127, 128, 255, 256, 4095, 4096, 65535, 65536, 65537, 16384, 16640,
         1 << 20, (1 << 20) + 1, 64 << 20, int.MaxValue, int.MinValue, int.MaxValue - 1, 0x7FFF, 0x8000];

    private readonly FuzzRandom _random;
    private readonly IReadOnlyList<byte[]> _corpus;

    public Mutator(FuzzRandom random, IReadOnlyList<byte[]> corpus)
    {
        if (corpus.Count == 0)
        {
            throw new ArgumentException("The corpus is empty.", nameof(corpus));
        }
        _random = random;
        _corpus = corpus;
    }

    /// <summary>The next input: a corpus entry with one to four mutations.</summary>
    public byte[] Next()
    {
        var data = new List<byte>(_corpus[_random.Below(_corpus.Count)]);
        int rounds = 1 + _random.Below(4);
        for (int i = 0; i < rounds; i++)
        {
            MutateOnce(data);
        }
        if (data.Count > MaxInputBytes)
        {
            data.RemoveRange(MaxInputBytes, data.Count - MaxInputBytes);
        }
        return [.. data];
    }

    private void MutateOnce(List<byte> data)
    {
        if (data.Count == 0)
        {
            data.Add(InterestingBytes[_random.Below(InterestingBytes.Length)]);
            return;
        }
        switch (_random.Below(10))
        {
            case 0: // flip one to four bits
                for (int n = 1 + _random.Below(4); n > 0; n--)
                {
                    int at = _random.Below(data.Count);
                    data[at] ^= (byte)(1 << _random.Below(8));
                }
                break;
            case 1: // set a byte to an interesting value
                data[_random.Below(data.Count)] = InterestingBytes[_random.Below(InterestingBytes.Length)];
                break;
            case 2: // set a byte to anything
                data[_random.Below(data.Count)] = (byte)_random.Next();
                break;
            case 3: // insert random bytes
            {
                int at = _random.Below(data.Count + 1);
                int n = 1 + _random.Below(16);
                var bytes = new byte[n];
                for (int k = 0; k < n; k++)
                {
                    bytes[k] = _random.Chance(2) ? InterestingBytes[_random.Below(InterestingBytes.Length)] : (byte)_random.Next();
                }
                data.InsertRange(at, bytes);
                break;
            }
            case 4: // delete a range
            {
                int at = _random.Below(data.Count);
                int n = 1 + _random.Below(Math.Min(32, data.Count - at));
                data.RemoveRange(at, n);
                break;
            }
            case 5: // duplicate a range
            {
                int at = _random.Below(data.Count);
                int n = 1 + _random.Below(Math.Min(64, data.Count - at));
                data.InsertRange(_random.Below(data.Count + 1), data.GetRange(at, n));
                break;
            }
            case 6: // write an interesting length field
            {
                int value = InterestingInts[_random.Below(InterestingInts.Length)] + (_random.Chance(4) ? _random.Below(5) - 2 : 0);
                Span<byte> field = stackalloc byte[4];
                int width = _random.Chance(2) ? 4 : 2;
                bool little = _random.Chance(3);
                if (width == 4)
                {
                    if (little) { BinaryPrimitives.WriteInt32LittleEndian(field, value); }
                    else { BinaryPrimitives.WriteInt32BigEndian(field, value); }
                }
                else
                {
                    if (little) { BinaryPrimitives.WriteUInt16LittleEndian(field, (ushort)value); }
                    else { BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)value); }
                }
                int at = _random.Below(data.Count);
                for (int k = 0; k < width && at + k < data.Count; k++)
                {
                    data[at + k] = field[k];
                }
                break;
            }
            case 7: // a MessagePack header with a large count or length in front of a byte
            {
                byte[] header = _random.Below(6) switch
                {
                    0 => [0xDC, 0xFF, 0xFF],
                    1 => [0xDD, 0x7F, 0xFF, 0xFF, 0xFF],
                    2 => [0xDF, 0x00, 0x10, 0x00, 0x00],
                    3 => [0xC6, 0x7F, 0xFF, 0xFF, 0xF0],
                    4 => [0xDB, 0x00, 0x01, 0x00, 0x00],
                    _ => [0xC7, 0xFF, 0xFF],
                };
                int at = _random.Below(data.Count);
                data.RemoveRange(at, Math.Min(header.Length, data.Count - at));
                data.InsertRange(at, header);
                break;
            }
            case 8: // truncate
            {
                int keep = _random.Below(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                break;
            }
            default: // splice with another corpus entry
            {
                byte[] other = _corpus[_random.Below(_corpus.Count)];
                if (other.Length == 0)
                {
                    break;
                }
                int cut = _random.Below(data.Count + 1);
                int from = _random.Below(other.Length);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            }
        }
    }
}
