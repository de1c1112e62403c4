using System.Buffers;
using System.IO.Pipelines;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Chunking;

/// <summary>
/// Cuts a stream into FastCDC chunks and hashes each chunk and the whole stream with BLAKE3 in the same pass. Memory
/// is two pooled buffers (reads: max(1 MiB, 4 × max chunk); the digest's 1 MiB block) whatever the stream's length.
/// Pull-style: call <see cref="MoveNext"/> or <see cref="MoveNextAsync"/>; <see cref="Current"/> and <see cref="CurrentData"/> describe
/// the chunk until the next call. After the last chunk, <see cref="FileHash"/> and <see cref="Length"/> are final.
/// </summary>
public sealed class StreamChunker : IDisposable
{
    private readonly Stream _stream;
    private readonly ChunkerOptions _options;
    private readonly FileHasher _fileHasher = new();
    private readonly bool _fixedBlocks;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private long _offset;
    private ChunkHash? _fileHash;

    /// <summary>Creates a chunker over <paramref name="stream"/>, read from its current position.</summary>
    /// <param name="stream">The bytes to chunk.</param>
    /// <param name="options">Chunk sizes; <see cref="ChunkerOptions.Default"/> when null.</param>
    /// <param name="fixedBlocks">
    /// Cut plain blocks of the maximum size and leave them unhashed (only zero detection and the file digest): for a
    /// receiver that holds nothing, where content-defined cuts and chunk hashes could never be matched.
    /// </param>
    public StreamChunker(Stream stream, ChunkerOptions? options = null, bool fixedBlocks = false)
    {
        _stream = stream;
        _options = options ?? ChunkerOptions.Default;
        _fixedBlocks = fixedBlocks;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1024 * 1024, 4 * _options.MaxSize));
    }

    /// <summary>The chunk the last successful move produced.</summary>
    public ChunkInfo Current { get; private set; }

    /// <summary>The bytes of <see cref="Current"/>; valid only until the next move.</summary>
    public ReadOnlyMemory<byte> CurrentData { get; private set; }

    /// <summary>Bytes chunked so far; the stream's length once the last move returned false.</summary>
    public long Length => _offset;

    /// <summary>BLAKE3 of the whole stream. Valid once a move returned false.</summary>
    /// <exception cref="InvalidOperationException">The stream has not been read to its end yet.</exception>
    public ChunkHash FileHash => _fileHash ?? throw new InvalidOperationException("Read every chunk before asking for the file hash.");

    /// <summary>Advances to the next chunk, reading synchronously; false at the end of the stream.</summary>
    public bool MoveNext()
    {
        while (!_eof && _end - _start < _options.MaxSize)
        {
            Compact();
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            AfterRead(n);
        }
        return Cut();
    }

    /// <summary>Advances to the next chunk, reading asynchronously; false at the end of the stream.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        while (!_eof && _end - _start < _options.MaxSize)
        {
            Compact();
            int n = await _stream.ReadAsync(_buffer.AsMemory(_end, _buffer.Length - _end), cancellationToken);
            AfterRead(n);
        }
        return Cut();
    }

    private void Compact()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    private void AfterRead(int n)
    {
        if (n == 0)
        {
            _eof = true;
        }
        // The digest takes the bytes as they are read, not chunk by chunk: every byte read is cut later, in the same
        // order, and a whole 1 MiB read at a block boundary (plain blocks of a file read from its start) is hashed
        // where it lies instead of being copied into the digest's block first.
        _fileHasher.Update(_buffer.AsSpan(_end, n));
        _end += n;
    }

    private bool Cut()
    {
        if (_start == _end)
        {
            _fileHash ??= _fileHasher.Finish();
            CurrentData = ReadOnlyMemory<byte>.Empty;
            return false;
        }
        ReadOnlySpan<byte> window = _buffer.AsSpan(_start, _end - _start);
        int length = _fixedBlocks ? Math.Min(window.Length, _options.MaxSize) : FastCdc.FindCut(window, _options);
        ReadOnlySpan<byte> chunk = window[..length];
        bool isZero = !chunk.ContainsAnyExcept((byte)0);
        ChunkHash hash = isZero || _fixedBlocks ? default : ChunkHash.Of(chunk);
        Current = new ChunkInfo(_offset, length, hash, isZero);
        CurrentData = _buffer.AsMemory(_start, length);
        _offset += length;
        _start += length;
        return true;
    }

    /// <summary>Creates a chunker over a pipe; the chunker reads it to its end (the reader is not completed).</summary>
    public StreamChunker(PipeReader reader, ChunkerOptions? options = null)
        : this(reader.AsStream(leaveOpen: true), options)
    {
    }

    /// <summary>Returns the buffer to the pool. Does not dispose the stream.</summary>
    public void Dispose()
    {
        _fileHasher.Dispose();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
