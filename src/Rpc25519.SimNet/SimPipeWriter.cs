using System.Buffers;
using System.IO.Pipelines;

namespace Rpc25519.SimNet;

/// <summary>
/// The output pipe of a simulated connection: bytes are buffered until a flush, which hands them to the connection
/// (cut into messages and sent) and completes at once. The network has no bandwidth limit, so a flush never waits.
/// </summary>
/// <remarks>Ownership: the buffer returned by <see cref="GetMemory"/> belongs to this writer and is valid until the
/// next <see cref="Advance"/>; flushed bytes are copied out before <see cref="FlushAsync"/> returns.</remarks>
internal sealed class SimPipeWriter : PipeWriter
{
    private const int MinimumBufferBytes = 4096;

    private readonly SimConnection _connection;
    private byte[] _buffer = [];
    private int _written;
    private bool _completed;
    private bool _closed;

    public SimPipeWriter(SimConnection connection)
    {
        _connection = connection;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    /// <summary>The connection closed: later flushes report completion.</summary>
    public void MarkClosed() => _closed = true;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_written + bytes > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer returned by GetMemory/GetSpan.");
        }
        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_written > 0)
        {
            _connection.OnFlush(_buffer.AsSpan(0, _written));
            _written = 0;
        }
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: _closed));
    }

    // Flushes never pend, so there is nothing to cancel.
    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }
        if (_written > 0 && exception is null)
        {
            _connection.OnFlush(_buffer.AsSpan(0, _written));
        }
        _written = 0;
        _completed = true;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        if (exception is null)
        {
            _connection.EndOutput();
        }
        else
        {
            _connection.Abort(exception);
        }
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }
        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinimumBufferBytes, _buffer.Length * 2)));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
    }
}
