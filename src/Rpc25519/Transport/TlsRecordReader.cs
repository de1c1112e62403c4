using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// The plaintext input of a <see cref="TlsRecordConnection"/>: a read takes whatever whole records the inner
/// connection's input holds, opens them all into a plaintext buffer and returns it, on the caller's own thread. No
/// task reads ahead: records are opened only when the session layer asks for more, so nothing waits decoded beyond
/// what the session layer has not consumed yet.
/// </summary>
/// <remarks>
/// <para>Not thread-safe, like any <see cref="PipeReader"/>: one reader at a time; <see cref="CancelPendingRead"/>
/// may be called from any thread. Uses only the opening half of the record layer.</para>
/// <para>A forged, reordered, oversized or unexpected record, or a fatal alert from the peer, fails the read (and
/// every later one) with an <see cref="IOException"/> whose inner exception is the <see cref="TlsException"/>, and
/// aborts the connection. A record that stays incomplete for <see cref="PartialRecordTimeout"/> does the same with an
/// <see cref="AuthenticationRejectedException"/>. close_notify ends the input (IsCompleted) after the data before
/// it.</para>
/// </remarks>
internal sealed class TlsRecordReader : PipeReader, IDisposable
{
    /// <summary>How long a read may wait for the rest of a record it has started to receive. A record is sent whole,
    /// so one that stays incomplete this long means its length was tampered with (or the peer stalled mid-record).
    /// </summary>
    internal static readonly TimeSpan PartialRecordTimeout = TimeSpan.FromSeconds(5);

    private readonly PipeReader _inner;
    private readonly TlsRecordLayer _records;
    private readonly Action<Exception> _abort;
    private readonly string _remoteAddress;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Opened plaintext not yet consumed; written and read only inside this reader's own calls, so it
    /// never waits (no pause threshold, inline schedulers).</summary>
    private readonly Pipe _plain = new(new PipeOptions(readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, resumeWriterThreshold: 0,
        minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));

    /// <summary>Gathers a received record that spans inner segments.</summary>
    private byte[]? _gather;

    /// <summary>The buffer the last read returned (positions passed to <see cref="AdvanceTo(SequencePosition,
    /// SequencePosition)"/> belong to it).</summary>
    private ReadOnlySequence<byte> _last;

    /// <summary>Bytes of the unconsumed plaintext the caller has examined: a read waits for more than this.</summary>
    private long _examined;

    /// <summary>Whether the inner input holds the start of a record whose rest has not arrived.</summary>
    private bool _partialRecord;

    /// <summary>Why this input failed; every read throws it from then on.</summary>
    private volatile Exception? _failure;

    /// <summary>Fires <see cref="PartialRecordTimeout"/> after a read started waiting for the rest of a record.</summary>
    private ITimer? _partialRecordTimer;

    /// <summary>1 while a read waits for the rest of a record.</summary>
    private int _waitingForRestOfRecord;

    /// <param name="inner">The inner connection's input, positioned at the first record after the handshake.</param>
    /// <param name="records">The record layer (its opening half).</param>
    /// <param name="abort">Closes the connection with a reason (called once this input has failed).</param>
    /// <param name="remoteAddress">For messages and logs.</param>
    /// <param name="logger">Logs why the input failed.</param>
    /// <param name="timeProvider">Times <see cref="PartialRecordTimeout"/>.</param>
    public TlsRecordReader(PipeReader inner, TlsRecordLayer records, Action<Exception> abort, string remoteAddress,
        ILogger logger, TimeProvider timeProvider)
    {
        _inner = inner;
        _records = records;
        _abort = abort;
        _remoteAddress = remoteAddress;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public override bool TryRead(out ReadResult result)
    {
        ThrowIfFailed();
        if (_plain.Reader.TryRead(out result))
        {
            if (IsNew(result))
            {
                _last = result.Buffer;
                return true;
            }
            _plain.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
        result = default;
        return false;
    }

    /// <inheritdoc />
    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        TryRead(out ReadResult result) ? new ValueTask<ReadResult>(result) : ReadRecordsAsync(cancellationToken);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    /// <inheritdoc />
    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _examined = _last.GetOffset(examined) - _last.GetOffset(consumed);
        _last = default;
        _plain.Reader.AdvanceTo(consumed, examined);
    }

    /// <inheritdoc />
    public override void CancelPendingRead()
    {
        _plain.Reader.CancelPendingRead();
        _inner.CancelPendingRead();
    }

    /// <inheritdoc />
    public override void Complete(Exception? exception = null)
    {
        _plain.Reader.Complete();
        _plain.Writer.Complete();
        _inner.Complete(exception);
    }

    /// <inheritdoc />
    public void Dispose() => _partialRecordTimer?.Dispose();

    /// <summary>Whether a result from the plaintext buffer is worth returning: more than the caller examined, or the
    /// end, or a cancellation.</summary>
    private bool IsNew(ReadResult result) =>
        result.IsCanceled || result.IsCompleted || result.Buffer.Length > _examined;

    /// <summary>Reads from the inner input and opens records until there is something new to return.</summary>
    /// <remarks>Its state machine is pooled: a read that waits for the socket would otherwise allocate one per
    /// read.</remarks>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(
        typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadRecordsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_partialRecord)
            {
                ArmPartialRecordTimer();
            }
            ReadResult read;
            try
            {
                read = await _inner.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (_failure is not null && e is not OperationCanceledException)
            {
                // The connection was aborted because of _failure; report that instead.
                read = default;
            }
            finally
            {
                Volatile.Write(ref _waitingForRestOfRecord, 0);
            }
            ThrowIfFailed();
            ReadOnlySequence<byte> buffer = read.Buffer;
            SequencePosition consumed;
            try
            {
                consumed = OpenRecords(buffer);
            }
            catch (TlsException e)
            {
                _inner.AdvanceTo(buffer.Start, buffer.End);
                throw Fail(e);
            }
            _partialRecord = buffer.GetOffset(consumed) != buffer.GetOffset(buffer.End);
            _inner.AdvanceTo(consumed, buffer.End);
            if (read.IsCompleted || _records.PeerClosed)
            {
                // close_notify, or the peer closed the socket: the input ends after what was opened so far.
                _plain.Writer.Complete();
            }
            else
            {
                ValueTask<FlushResult> flushed = _plain.Writer.FlushAsync(CancellationToken.None);
                System.Diagnostics.Debug.Assert(flushed.IsCompleted, "a pipe without a pause threshold never waits");
                flushed.GetAwaiter().GetResult();
            }
            if (TryRead(out ReadResult result))
            {
                return result;
            }
        }
    }

    /// <summary>Opens every whole record at the front of <paramref name="encoded"/> into the plaintext buffer
    /// (advance only); returns how far it got.</summary>
    /// <exception cref="TlsException">A record is forged, out of order, oversized or unexpected, or a fatal
    /// alert.</exception>
    private SequencePosition OpenRecords(ReadOnlySequence<byte> encoded)
    {
        PipeWriter decoded = _plain.Writer;
        Span<byte> header = stackalloc byte[TlsRecordLayer.HeaderBytes];
        while (encoded.Length >= TlsRecordLayer.HeaderBytes && !_records.PeerClosed)
        {
            encoded.Slice(0, TlsRecordLayer.HeaderBytes).CopyTo(header);
            int length = TlsRecordLayer.RecordLength(header);
            if (encoded.Length < length)
            {
                break;
            }
            ReadOnlySequence<byte> record = encoded.Slice(0, length);
            ReadOnlySpan<byte> sealedRecord;
            if (record.IsSingleSegment)
            {
                sealedRecord = record.FirstSpan;
            }
            else
            {
                byte[] gather = _gather ??= new byte[TlsRecordLayer.MaxRecordBytes];
                record.CopyTo(gather);
                sealedRecord = gather.AsSpan(0, length);
            }
            decoded.Advance(_records.Open(sealedRecord, decoded.GetSpan(length)));
            encoded = encoded.Slice(length);
        }
        return encoded.Start;
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            // The session layer expects transport failures as IOException (as a socket would report them).
            throw new IOException(failure.Message, failure);
        }
    }

    /// <summary>Records the input's failure, logs it, aborts the connection; returns the exception to throw.</summary>
    private IOException Fail(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is null)
        {
            SecurityLog.LayerReceiveFailed(_logger, _remoteAddress, reason.Message);
            _abort(reason);
        }
        return new IOException(_failure!.Message, _failure);
    }

    private void ArmPartialRecordTimer()
    {
        Volatile.Write(ref _waitingForRestOfRecord, 1);
        ITimer timer = _partialRecordTimer ??= _timeProvider.CreateTimer(
            static s => ((TlsRecordReader)s!).OnPartialRecordTimer(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        timer.Change(PartialRecordTimeout, Timeout.InfiniteTimeSpan);
    }

    private void OnPartialRecordTimer()
    {
        if (Volatile.Read(ref _waitingForRestOfRecord) == 1)
        {
            Fail(new AuthenticationRejectedException($"A TLS record from {_remoteAddress} has been incomplete for " +
                $"{PartialRecordTimeout.TotalSeconds:0} s: its length was probably tampered with; closing."));
        }
    }
}
