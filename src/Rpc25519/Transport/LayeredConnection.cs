using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

using Rpc25519.Security;

namespace Rpc25519.Transport;

/// <summary>
/// A connection that runs a record protocol (TLS, the pre-shared-key layer) over another connection: the session
/// layer reads and writes plaintext on <see cref="Transport"/>, one receive loop decodes what arrives on the inner
/// connection, and one send loop encodes what the session writes.
/// </summary>
/// <remarks>
/// <para>Thread-safety: <see cref="Abort"/> and <see cref="DisposeAsync"/> may be called from any thread; the first
/// close reason wins. <see cref="Decode"/> and <see cref="Encode"/> run on different loops at the same time, so a
/// subclass guards any state they share.</para>
/// <para>The inner connection's output has one writer at a time: the send loop, or the receive loop when decoding
/// produced bytes to send (a TLS alert or key update). <see cref="_innerWriteGate"/> serializes them, so bytes reach
/// the inner connection in the order the protocol produced them.</para>
/// </remarks>
internal abstract class LayeredConnection : IConnection, IDuplexPipe
{
    /// <summary>Pause the receive loop when this many decoded bytes wait unread by the session layer.</summary>
    private const long PauseBytes = 1024 * 1024;

    /// <summary>How long disposing waits for already written bytes to reach the inner connection.</summary>
    private static readonly TimeSpan CloseFlushWait = TimeSpan.FromSeconds(2);

    /// <summary>How long the receive loop may wait for the rest of a record it has started to receive. A record is
    /// sent whole, so one that stays incomplete this long means its length was tampered with (or the peer stalled
    /// mid-record): the connection is closed instead of waiting for bytes that will not come.</summary>
    internal static readonly TimeSpan PartialRecordTimeout = TimeSpan.FromSeconds(5);

    private readonly IConnection _inner;
    /// <summary>Decoded bytes: written by the receive loop, read by the session layer.</summary>
    private readonly Pipe _received;
    /// <summary>Bytes to encode: written by the session layer, read by the send loop.</summary>
    private readonly Pipe _toSend;
    private readonly CancellationTokenSource _closed = new();
    /// <summary>Held while writing to the inner connection's output.</summary>
    private readonly SemaphoreSlim _innerWriteGate = new(1, 1);
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private CancellationTokenRegistration _innerClosed;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _sendLoop = Task.CompletedTask;
    private int _closing;
    /// <summary>Closes the inner connection after an <see cref="Abort"/>; awaited by <see
    /// cref="DisposeAsync"/>.</summary>
    private Task _closeInner = Task.CompletedTask;

    /// <summary>Fires <see cref="PartialRecordTimeout"/> after the receive loop last started waiting for the rest of a
    /// record; made on first need.</summary>
    private ITimer? _partialRecordTimer;

    /// <summary>1 while the receive loop waits for the rest of a record.</summary>
    private int _waitingForRestOfRecord;

    protected LayeredConnection(IConnection inner, ILogger logger, TimeProvider timeProvider)
    {
        _inner = inner;
        _logger = logger;
        _timeProvider = timeProvider;
        // Continuations run inline: the session layer's reader resumes on the receive loop, and the send loop on the
        // session layer's writer, instead of hopping through the thread pool (which would also escape a simulation's
        // scheduler).
        var options = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: PauseBytes, resumeWriterThreshold: PauseBytes / 2, minimumSegmentSize: 16 * 1024,
            useSynchronizationContext: false);
        _received = new Pipe(options);
        _toSend = new Pipe(options);
        ConnectionClosed = _closed.Token;
    }

    /// <inheritdoc />
    public string LocalAddress => _inner.LocalAddress;

    /// <inheritdoc />
    public string RemoteAddress => _inner.RemoteAddress;

    /// <inheritdoc />
    public IDuplexPipe Transport => this;

    /// <summary>Decoded bytes for the session layer.</summary>
    public PipeReader Input => _received.Reader;

    /// <summary>Bytes the session layer wants encoded and sent.</summary>
    public PipeWriter Output => _toSend.Writer;

    /// <inheritdoc />
    public CancellationToken ConnectionClosed { get; }

    /// <summary>Why the connection closed (the first reason), or null.</summary>
    public Exception? CloseReason { get; private set; }

    /// <summary>The connection this layer runs over.</summary>
    protected IConnection Inner => _inner;

    /// <summary>Starts the receive and send loops on <paramref name="scheduler"/>; call once, after the
    /// handshake.</summary>
    public void Start(TaskScheduler scheduler)
    {
        _innerClosed = _inner.ConnectionClosed.Register(
            static s => ((LayeredConnection)s!).Close(null, immediate: true), this);
        _receiveLoop = Task.Factory.StartNew(static s => ((LayeredConnection)s!).ReceiveLoopAsync(), this,
            CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
        _sendLoop = Task.Factory.StartNew(static s => ((LayeredConnection)s!).SendLoopAsync(), this,
            CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
    }

    /// <summary>Decodes records from <paramref name="encoded"/> into <paramref name="decoded"/> (advance only,
    /// no flush). Returns how far the input was consumed; the rest is offered again with more bytes.</summary>
    /// <exception cref="Exception">The input is corrupt or forged; the connection is closed with this
    /// reason.</exception>
    protected abstract SequencePosition Decode(ReadOnlySequence<byte> encoded, PipeWriter decoded);

    /// <summary>Encodes <paramref name="plain"/> into <paramref name="encoded"/> (advance only, no flush).</summary>
    protected abstract void Encode(ReadOnlySequence<byte> plain, PipeWriter encoded);

    /// <summary>Moves bytes that decoding produced for the peer (alerts, key updates) to <paramref name="encoded"/>;
    /// returns whether there were any. Called by the receive loop while it holds the inner write gate.</summary>
    protected virtual bool DrainPendingOutput(PipeWriter encoded) => false;

    /// <summary>Moves plaintext the handshake already decoded into <paramref name="decoded"/> (advance only);
    /// called once when the receive loop starts.</summary>
    protected virtual void DecodeBuffered(PipeWriter decoded)
    {
    }

    /// <summary>Whether decoding left bytes to send to the peer.</summary>
    protected virtual bool HasPendingOutput => false;

    /// <summary>Writes the end-of-stream record (e.g. TLS close_notify), if the protocol has one.</summary>
    protected virtual void EncodeClose(PipeWriter encoded)
    {
    }

    /// <summary>Whether the protocol has seen the peer's end of stream.</summary>
    protected virtual bool PeerClosed => false;

    /// <inheritdoc />
    /// <remarks>Stops both loops at once. Bytes the session layer had already written are still encoded and handed to
    /// the inner connection, for at most <see cref="CloseFlushWait"/> (as a socket would still send what was written
    /// to it before the close); then the inner connection is closed. A failure of this layer itself (a forged
    /// record, a broken inner connection) closes the inner connection immediately.</remarks>
    public void Abort(Exception? reason) => Close(reason, immediate: false);

    private void Close(Exception? reason, bool immediate)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            if (immediate)
            {
                _inner.Abort(reason);
            }
            return;
        }
        CloseReason = reason ?? new RpcConnectionClosedException("The connection was closed.");
        _received.Writer.CancelPendingFlush();
        _toSend.Reader.CancelPendingRead();
        try
        {
            _inner.Transport.Input.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
            // The receive loop already completed the inner input.
        }
        if (immediate || _sendLoop.IsCompleted)
        {
            _inner.Abort(reason);
        }
        else
        {
            _closeInner = CloseInnerAfterSendAsync();
        }
        _closed.Cancel();
    }

    /// <summary>Closes the inner connection once the send loop has handed over what was written, or after
    /// <see cref="CloseFlushWait"/>.</summary>
    private async Task CloseInnerAfterSendAsync()
    {
        using var stopTimer = new CancellationTokenSource();
        await Task.WhenAny(_sendLoop, Task.Delay(CloseFlushWait, _timeProvider, stopTimer.Token));
        stopTimer.Cancel();
        _inner.Abort(CloseReason);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Abort(null);
        await _innerClosed.DisposeAsync();
        _partialRecordTimer?.Dispose();
        try
        {
            await Task.WhenAll(_receiveLoop, _sendLoop, _closeInner);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The loops already recorded their reason; disposing only waits for them to end.
        }
        await _inner.DisposeAsync();
    }

    private async Task ReceiveLoopAsync()
    {
        PipeReader input = _inner.Transport.Input;
        PipeWriter decoded = _received.Writer;
        Exception? error = null;
        try
        {
            DecodeBuffered(decoded);
            await decoded.FlushAsync();
            bool partialRecord = false;
            while (Volatile.Read(ref _closing) == 0)
            {
                if (partialRecord)
                {
                    ArmPartialRecordTimer();
                }
                ReadResult read = await input.ReadAsync();
                Volatile.Write(ref _waitingForRestOfRecord, 0);
                if (read.IsCanceled)
                {
                    break;
                }
                ReadOnlySequence<byte> buffer = read.Buffer;
                SequencePosition consumed = Decode(buffer, decoded);
                partialRecord = !consumed.Equals(buffer.End);
                input.AdvanceTo(consumed, buffer.End);
                if (HasPendingOutput)
                {
                    await SendPendingOutputAsync();
                }
                FlushResult flushed = await decoded.FlushAsync();
                if (flushed.IsCompleted || flushed.IsCanceled || read.IsCompleted || PeerClosed)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            error = e;
            SecurityLog.LayerReceiveFailed(_logger, RemoteAddress, e.Message);
        }
        await input.CompleteAsync();
        // The session layer expects transport failures as IOException (as a socket would report them).
        await decoded.CompleteAsync(error is null ? null : new IOException(error.Message, error));
        if (error is not null)
        {
            Close(error, immediate: true);
        }
    }

    private void ArmPartialRecordTimer()
    {
        Volatile.Write(ref _waitingForRestOfRecord, 1);
        ITimer timer = _partialRecordTimer ??= _timeProvider.CreateTimer(
            static s => ((LayeredConnection)s!).OnPartialRecordTimer(), this, Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        timer.Change(PartialRecordTimeout, Timeout.InfiniteTimeSpan);
    }

    private void OnPartialRecordTimer()
    {
        if (Volatile.Read(ref _waitingForRestOfRecord) == 1 && Volatile.Read(ref _closing) == 0)
        {
            SecurityLog.LayerReceiveFailed(_logger, RemoteAddress, "a record stayed incomplete");
            Close(new AuthenticationRejectedException($"A record from {RemoteAddress} has been incomplete for " +
                $"{PartialRecordTimeout.TotalSeconds:0} s: its length was probably tampered with; closing."),
                immediate: true);
        }
    }

    private async Task SendPendingOutputAsync()
    {
        await _innerWriteGate.WaitAsync();
        try
        {
            if (DrainPendingOutput(_inner.Transport.Output))
            {
                await _inner.Transport.Output.FlushAsync();
            }
        }
        finally
        {
            _innerWriteGate.Release();
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _toSend.Reader;
        PipeWriter output = _inner.Transport.Output;
        try
        {
            while (true)
            {
                // A cancelled read (Abort) still carries what was written before it: that is sent, then the loop ends.
                ReadResult read = await reader.ReadAsync();
                if (!read.Buffer.IsEmpty)
                {
                    await EncodeAndFlushAsync(read.Buffer, output, close: false);
                }
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    await EncodeAndFlushAsync(ReadOnlySequence<byte>.Empty, output, close: true);
                    break;
                }
                if (read.IsCanceled || Volatile.Read(ref _closing) != 0)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            SecurityLog.LayerSendFailed(_logger, RemoteAddress, e.Message);
            Close(e, immediate: true);
        }
        finally
        {
            await reader.CompleteAsync();
            try
            {
                // Completing a stream-based output flushes it: on a connection that is already gone that throws, and
                // nothing is left to deliver. Caught here, or the loop's task would fault with nobody to observe it.
                await output.CompleteAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException
                or System.Net.Sockets.SocketException)
            {
                SecurityLog.LayerSendFailed(_logger, RemoteAddress, e.Message);
            }
            if (Volatile.Read(ref _closing) != 0)
            {
                _inner.Abort(CloseReason);
            }
        }
    }

    private async Task EncodeAndFlushAsync(ReadOnlySequence<byte> plain, PipeWriter output, bool close)
    {
        await _innerWriteGate.WaitAsync();
        try
        {
            if (close)
            {
                EncodeClose(output);
            }
            else
            {
                Encode(plain, output);
            }
            await output.FlushAsync();
        }
        finally
        {
            _innerWriteGate.Release();
        }
    }
}
