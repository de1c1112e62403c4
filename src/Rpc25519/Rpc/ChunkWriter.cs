using System.Buffers;

namespace Rpc25519.Rpc;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a list of 64 KiB arrays rented from <see cref="ArrayPool{T}.Shared"/>: it
/// grows without ever copying what was written or allocating one large array, so output of unknown size (a compressed
/// frame body) costs only the chunks it fills, all of a size the shared pool keeps cheaply.
/// </summary>
/// <remarks>Not thread-safe: one owner (a connection's frame encoder). <see cref="Reset"/> gives every chunk back.</remarks>
internal sealed class ChunkWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>Bytes of each chunk; also the most <see cref="GetSpan"/> can promise at once.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly List<byte[]> _chunks = [];

    /// <summary>Bytes written into each chunk but the last (a chunk is left when full, or too short for a size hint).
    /// </summary>
    private readonly List<int> _filled = [];

    /// <summary>Bytes written into the last chunk.</summary>
    private int _lastWritten;

    /// <summary>Bytes written since the last <see cref="Reset"/>.</summary>
    public int WrittenCount { get; private set; }

    public void Advance(int count)
    {
        if (count < 0 || _chunks.Count == 0 || _lastWritten + count > ChunkBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Advanced past the end of the chunk.");
        }
        _lastWritten += count;
        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Room(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Room(sizeHint).Span;

    /// <summary>Writes everything written so far to <paramref name="destination"/>, in order.</summary>
    public void CopyTo(IBufferWriter<byte> destination)
    {
        for (int i = 0; i < _chunks.Count; i++)
        {
            destination.Write(_chunks[i].AsSpan(0, i == _chunks.Count - 1 ? _lastWritten : _filled[i]));
        }
    }

    /// <summary>Forgets what was written and gives every chunk back to the pool.</summary>
    public void Reset()
    {
        foreach (byte[] chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        _chunks.Clear();
        _filled.Clear();
        _lastWritten = 0;
        WrittenCount = 0;
    }

    public void Dispose() => Reset();

    private Memory<byte> Room(int sizeHint)
    {
        if (sizeHint > ChunkBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(sizeHint), sizeHint, $"At most {ChunkBytes} bytes at once.");
        }
        if (_chunks.Count == 0 || ChunkBytes - _lastWritten < Math.Max(sizeHint, 1))
        {
            if (_chunks.Count > 0)
            {
                _filled.Add(_lastWritten);
            }
            _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkBytes));
            _lastWritten = 0;
        }
        return _chunks[^1].AsMemory(_lastWritten, ChunkBytes - _lastWritten);
    }
}
