using System.Buffers.Binary;
using MessagePack;

namespace Rpc25519.JSync.Hashing;

/// <summary>
/// A 32-byte BLAKE3 digest of a chunk or of a whole file. A value type with cheap equality, so it can key a
/// dictionary without allocating; on the wire it is a 32-byte MessagePack binary.
/// </summary>
[MessagePackFormatter(typeof(ChunkHashFormatter))]
public readonly struct ChunkHash : IEquatable<ChunkHash>, IComparable<ChunkHash>
{
    /// <summary>The number of bytes in a digest.</summary>
    public const int Size = 32;

    private readonly ulong _a, _b, _c, _d;

    /// <summary>Creates a digest from exactly <see cref="Size"/> bytes.</summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public ChunkHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A BLAKE3 digest is {Size} bytes; got {bytes.Length}.", nameof(bytes));
        }
        _a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
    }

    private ChunkHash(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    /// <summary>The first 8 bytes (little-endian): what a summary sends of a chunk's hash (see <c>FileSummary</c>).</summary>
    internal ulong Prefix => _a;

    /// <summary>A digest whose first 8 bytes are <paramref name="prefix"/> and the rest zero.</summary>
    internal static ChunkHash FromPrefix(ulong prefix) => new(prefix, 0, 0, 0);

    /// <summary>The BLAKE3 digest of the given bytes.</summary>
    public static ChunkHash Of(ReadOnlySpan<byte> data)
    {
        Blake3.Hash h = Blake3.Hasher.Hash(data);
        return new ChunkHash(h.AsSpan());
    }

    /// <summary>BLAKE3 of empty input (a test vector; the whole-file digest of an empty file is <c>FileHasher</c>'s).</summary>
    public static ChunkHash Empty { get; } = Of(ReadOnlySpan<byte>.Empty);

    /// <summary>Writes the 32 digest bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _d);
    }

    /// <summary>The digest as a new 32-byte array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc/>
    public bool Equals(ChunkHash other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ChunkHash other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    /// <inheritdoc/>
    public int CompareTo(ChunkHash other)
    {
        Span<byte> x = stackalloc byte[Size];
        Span<byte> y = stackalloc byte[Size];
        CopyTo(x);
        other.CopyTo(y);
        return x.SequenceCompareTo(y);
    }

    /// <summary>Lower-case hex of the 32 bytes (what <c>b3sum</c> prints).</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Equality of two digests.</summary>
    public static bool operator ==(ChunkHash left, ChunkHash right) => left.Equals(right);

    /// <summary>Inequality of two digests.</summary>
    public static bool operator !=(ChunkHash left, ChunkHash right) => !left.Equals(right);
}
