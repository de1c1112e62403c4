using System.Buffers;
using System.Text;
using MessagePack;
using MessagePack.Formatters;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Writes the compact body of the high-volume messages (listings, summaries, plans, requests, change lists): LEB128
/// varints, zig-zag deltas and paths that share their prefix with the previous path. Such a body travels as one
/// MessagePack binary, so the per-field keys and type bytes of a plain MessagePack array are paid once per message,
/// not once per entry.
/// </summary>
internal sealed class PackedWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;
    private byte[] _previousPath = [];
    private int _previousPathLength;

    public PackedWriter(int capacity = 256) => _buffer = new ArrayBufferWriter<byte>(capacity);

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void Varint(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        _buffer.Advance(n);
    }

    public void Varint(long value) => Varint(checked((ulong)value));

    /// <summary>A signed value (usually a small delta), zig-zag encoded.</summary>
    public void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    /// <summary>A length-prefixed UTF-8 string.</summary>
    public void String(string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        int n = Encoding.UTF8.GetBytes(value, rented);
        Varint((ulong)n);
        Bytes(rented.AsSpan(0, n));
        ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>A path as (bytes shared with the previous path, the rest): sorted paths cost little more than their names.</summary>
    public void Path(string path)
    {
        int max = Encoding.UTF8.GetMaxByteCount(path.Length);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(max);
        int n = Encoding.UTF8.GetBytes(path, bytes);
        int shared = bytes.AsSpan(0, n).CommonPrefixLength(_previousPath.AsSpan(0, _previousPathLength));
        Varint((ulong)shared);
        Varint((ulong)(n - shared));
        Bytes(bytes.AsSpan(shared, n - shared));
        if (_previousPath.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_previousPath);
        }
        _previousPath = bytes;
        _previousPathLength = n;
    }

    /// <summary>Writes a batch message: [body, isLast].</summary>
    public void WriteBatchTo(ref MessagePackWriter writer, bool isLast)
    {
        writer.WriteArrayHeader(2);
        WriteTo(ref writer);
        writer.Write(isLast);
    }

    /// <summary>Writes the body as one MessagePack binary.</summary>
    public void WriteTo(ref MessagePackWriter writer)
    {
        writer.Write(_buffer.WrittenSpan);
        if (_previousPath.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_previousPath);
            _previousPath = [];
        }
    }
}

/// <summary>Reads what <see cref="PackedWriter"/> wrote; any malformed or oversized input is a
/// <see cref="MessagePackSerializationException"/> (which the serializer reports as a protocol error).</summary>
internal ref struct PackedReader
{
    /// <summary>No path or string in a packed body is longer than this (far above any file system's limit).</summary>
    public const int MaxStringBytes = 64 * 1024;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private byte[] _path;
    private int _pathLength;

    public PackedReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _path = [];
    }

    public readonly bool End => _position == _data.Length;

    public byte Byte()
    {
        if (_position >= _data.Length)
        {
            throw Truncated();
        }
        return _data[_position++];
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = Byte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new MessagePackSerializationException("A packed jsync message has a varint longer than 64 bits.");
    }

    /// <summary>A varint that must fit a non-negative <see cref="long"/>.</summary>
    public long Long()
    {
        ulong v = Varint();
        return v <= long.MaxValue ? (long)v : throw new MessagePackSerializationException("A packed jsync value is out of range.");
    }

    /// <summary>A varint that must fit a non-negative <see cref="int"/>.</summary>
    public int Int()
    {
        ulong v = Varint();
        return v <= int.MaxValue ? (int)v : throw new MessagePackSerializationException("A packed jsync value is out of range.");
    }

    public long Signed()
    {
        ulong v = Varint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw Truncated();
        }
        ReadOnlySpan<byte> span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public string String()
    {
        int n = Int();
        if (n > MaxStringBytes)
        {
            throw new MessagePackSerializationException($"A packed jsync string is {n} bytes; the limit is {MaxStringBytes}.");
        }
        return Encoding.UTF8.GetString(Bytes(n));
    }

    public string Path()
    {
        int shared = Int();
        int rest = Int();
        if (shared > _pathLength || rest > MaxStringBytes || shared + rest > MaxStringBytes)
        {
            throw new MessagePackSerializationException("A packed jsync path shares more than the previous path has, or is too long.");
        }
        if (_path.Length < shared + rest)
        {
            byte[] bigger = new byte[Math.Max(256, (shared + rest) * 2)];
            _path.AsSpan(0, shared).CopyTo(bigger);
            _path = bigger;
        }
        Bytes(rest).CopyTo(_path.AsSpan(shared));
        _pathLength = shared + rest;
        return Encoding.UTF8.GetString(_path, 0, _pathLength);
    }

    /// <summary>A count of items that each take at least <paramref name="minBytesEach"/> bytes: refuses counts the body
    /// cannot hold, so a forged count never makes the reader allocate.</summary>
    public int Count(int minBytesEach)
    {
        int n = Int();
        if ((long)n * minBytesEach > _data.Length - _position)
        {
            throw Truncated();
        }
        return n;
    }

    public readonly void ExpectEnd()
    {
        if (_position != _data.Length)
        {
            throw new MessagePackSerializationException("A packed jsync message has bytes after its last item.");
        }
    }

    private static MessagePackSerializationException Truncated() =>
        new("A packed jsync message ends in the middle of an item.");

    /// <summary>Reads a MessagePack binary, without a copy when it lies in one piece of the input.</summary>
    public static ReadOnlyMemory<byte> ReadBody(ref MessagePackReader reader)
    {
        ReadOnlySequence<byte>? bytes = reader.ReadBytes();
        return bytes switch
        {
            { IsSingleSegment: true } b => b.First,
            { } b => b.ToArray(),
            null => throw new MessagePackSerializationException("A packed jsync body is missing."),
        };
    }

    /// <summary>Reads a batch message written by <see cref="PackedWriter.WriteBatchTo"/>: returns the body.</summary>
    public static ReadOnlyMemory<byte> ReadBatch(ref MessagePackReader reader, string what, out bool isLast)
    {
        ExpectArray(ref reader, 2, what);
        ReadOnlyMemory<byte> body = ReadBody(ref reader);
        isLast = reader.ReadBoolean();
        return body;
    }

    /// <summary>Reads a MessagePack array header that must have exactly <paramref name="count"/> items.</summary>
    public static void ExpectArray(ref MessagePackReader reader, int count, string what)
    {
        if (reader.ReadArrayHeader() != count)
        {
            throw new MessagePackSerializationException($"A {what} message has the wrong number of fields.");
        }
    }
}

/// <summary>The nil handling every packed message formatter shares; subclasses write and read a present value.</summary>
internal abstract class PackedFormatter<T> : IMessagePackFormatter<T?>
    where T : class
{
    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            Write(ref writer, value, options);
        }
    }

    /// <inheritdoc/>
    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.TryReadNil() ? null : Read(ref reader, options);

    protected abstract void Write(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options);

    protected abstract T Read(ref MessagePackReader reader, MessagePackSerializerOptions options);
}
