using System.Buffers;

namespace Rpc25519.Rpc;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>. One owner (a
/// connection's writer loop) reuses it frame after frame; after a large frame the big array is let go so an idle
/// connection does not pin it. Arrays over 1 MiB are allocated rather than rented and left to the GC, so that a few
/// large frames do not keep their memory in the shared pool (and the process) for good.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>Arrays up to this size are kept between frames; larger ones are returned on <see cref="Reset"/>.</summary>
    private const int RetainBytesMax = 256 * 1024;

    /// <summary>Arrays larger than this are allocated and dropped, never pooled.</summary>
    private const int PooledBytesMax = 1024 * 1024;

    private const int InitialBytes = 4096;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);

    /// <summary>Bytes written since the last <see cref="Reset"/>.</summary>
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Advanced past the end of the buffer.");
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Forgets what was written; the next frame starts at offset 0.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer.Length > RetainBytesMax)
        {
            Release(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
        }
    }

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            Release(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }
        int size = Math.Max(_buffer.Length * 2, _written + needed);
        byte[] bigger = size <= PooledBytesMax ? ArrayPool<byte>.Shared.Rent(size)
            : GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        Release(_buffer);
        _buffer = bigger;
    }

    private static void Release(byte[] buffer)
    {
        if (buffer.Length <= PooledBytesMax)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
