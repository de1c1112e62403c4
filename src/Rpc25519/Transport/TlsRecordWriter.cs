using System.Buffers;
using System.IO.Pipelines;

namespace Rpc25519.Transport;

/// <summary>
/// The plaintext output of a <see cref="TlsRecordConnection"/>: what the session layer writes lands directly in the
/// inner connection's output buffer, behind room for a record header, and is sealed there in place
/// (<see cref="TlsRecordLayer.SealInPlace"/>) when the record is full or the writer flushes. Everything written
/// between two flushes thus becomes as few records as fit (one for a batch of small frames up to 16 KiB) and reaches
/// the socket in the inner writer's one flush, with no copy of the plaintext and no extra task or pipe.
/// </summary>
/// <remarks>Not thread-safe, like any <see cref="PipeWriter"/>: one writer at a time. Uses only the sealing half of
/// the record layer, so it runs alongside the connection's <see cref="TlsRecordReader"/>.</remarks>
internal sealed class TlsRecordWriter : PipeWriter
{
    /// <summary>A record is opened with room for at least this much plaintext (unless more is asked for): when the
    /// inner buffer has less left, the record starts in a fresh buffer, so records stay large.</summary>
    private const int MinRecordRoom = 4096;

    private readonly PipeWriter _inner;
    private readonly TlsRecordLayer _records;

    /// <summary>The inner output's memory that holds the open record: header room, then the plaintext so far; empty
    /// when no record is open.</summary>
    private Memory<byte> _record;

    /// <summary>Plaintext bytes in the open record.</summary>
    private int _plainLength;

    /// <summary>A caller asked for more contiguous room than one record holds: it writes here, and
    /// <see cref="Advance"/> cuts what it wrote into records (one copy).</summary>
    private byte[]? _large;

    private bool _completed;

    public TlsRecordWriter(PipeWriter inner, TlsRecordLayer records)
    {
        _inner = inner;
        _records = records;
    }

    /// <inheritdoc />
    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int want = Math.Max(sizeHint, 1);
        if (want > TlsRecordLayer.MaxPlaintextBytes)
        {
            ReturnLarge();
            _large = ArrayPool<byte>.Shared.Rent(want);
            return _large;
        }
        ReturnLarge();
        if (Room >= want)
        {
            return _record.Slice(TlsRecordLayer.HeaderBytes + _plainLength, Room);
        }
        SealOpenRecord();
        _record = _inner.GetMemory(TlsRecordLayer.OverheadBytes + Math.Max(want, MinRecordRoom));
        return _record.Slice(TlsRecordLayer.HeaderBytes, Room);
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <inheritdoc />
    public override void Advance(int bytes)
    {
        if (_large is { } large)
        {
            _large = null;
            ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, large.Length);
            try
            {
                WriteInRecords(large.AsSpan(0, bytes));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(large);
            }
            return;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, Room);
        _plainLength += bytes;
    }

    /// <inheritdoc />
    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        SealOpenRecord();
        return _inner.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    /// <inheritdoc />
    /// <remarks>Without an error, seals what is written and a close_notify record before completing the inner
    /// output (which sends them).</remarks>
    public override void Complete(Exception? exception = null)
    {
        Finish(exception);
        _inner.Complete(exception);
    }

    /// <inheritdoc />
    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Finish(exception);
        return _inner.CompleteAsync(exception);
    }

    /// <summary>Plaintext room left in the open record (0 when none is open).</summary>
    private int Room => _record.IsEmpty
        ? 0
        : Math.Min(_record.Length - TlsRecordLayer.OverheadBytes, TlsRecordLayer.MaxPlaintextBytes) - _plainLength;

    /// <summary>Seals the open record, if it holds any plaintext, and hands it to the inner output (no flush).</summary>
    private void SealOpenRecord()
    {
        if (_plainLength > 0)
        {
            _inner.Advance(_records.SealInPlace(_record.Span, _plainLength));
        }
        _plainLength = 0;
        _record = default;
    }

    private void WriteInRecords(ReadOnlySpan<byte> plain)
    {
        while (!plain.IsEmpty)
        {
            Span<byte> room = GetSpan();
            int count = Math.Min(room.Length, plain.Length);
            plain[..count].CopyTo(room);
            Advance(count);
            plain = plain[count..];
        }
    }

    private void ReturnLarge()
    {
        if (_large is { } large)
        {
            _large = null;
            ArrayPool<byte>.Shared.Return(large);
        }
    }

    private void Finish(Exception? exception)
    {
        ReturnLarge();
        if (_completed)
        {
            return;
        }
        _completed = true;
        if (exception is null)
        {
            SealOpenRecord();
            _inner.Advance(_records.SealCloseNotify(_inner.GetSpan(TlsRecordLayer.OverheadBytes + 2)));
        }
        else
        {
            _plainLength = 0;
            _record = default;
        }
    }
}
