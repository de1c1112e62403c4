using System.Buffers;
using System.IO.Pipelines;

namespace Rpc25519.Transport.Quic;

// The connection's async methods (C# does not allow await in an unsafe context, so they live in this safe part).
internal sealed partial class QuicConnection
{
    /// <summary>Copies what the session layer writes into the ring and sends it; waits for acknowledgements when the
    /// ring is full.</summary>
    private async Task WriterLoopAsync()
    {
        PipeReader reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                Post post;
                lock (_gate)
                {
                    _writerIdle = true;
                    post = TakePostLocked();
                }
                RunPost(post);
                ReadResult result = await reader.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                long copied;
                bool done;
                bool full;
                bool closed;
                lock (_gate)
                {
                    _writerIdle = false;
                    closed = _closed || result.IsCanceled;
                    copied = closed ? buffer.Length : CopyToRingLocked(buffer);
                    done = result.IsCompleted && copied == buffer.Length;
                    full = copied < buffer.Length;
                    if (!closed)
                    {
                        _finPending |= done;
                        _writerWaitingForSpace = full;
                        WritePacketsLocked();
                        if (!_closed)
                        {
                            ArmTimerLocked();
                        }
                    }
                    post = TakePostLocked();
                }
                RunPost(post);
                reader.AdvanceTo(buffer.GetPosition(copied));
                if (closed || done)
                {
                    break;
                }
                if (full)
                {
                    await _space.WaitAsync();
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            error = e;
        }
        Post last;
        lock (_gate)
        {
            _writerDone = true;
            last = TakePostLocked();
        }
        RunPost(last);
        // The session layer's writer sees a closed transport as an IOException, as over TCP.
        Exception? reason = error ?? _closeReason;
        await reader.CompleteAsync(reason is null ? null : new IOException(reason.Message, reason));
    }

    /// <summary>Waits (bounded) until every byte the session wrote has been acknowledged, then closes with
    /// application error 0, so that a reply written just before a close still arrives.</summary>
    private async Task LingerThenCloseAsync()
    {
        Task drained;
        lock (_gate)
        {
            if (_closed || DrainedLocked())
            {
                drained = Task.CompletedTask;
            }
            else
            {
                _drainWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _drainWaiter.Task;
            }
        }
        try
        {
            await drained.WaitAsync(LingerTime, _time);
        }
        catch (TimeoutException)
        {
            // Unacknowledged bytes are given up on; the close below tells the peer.
        }
        Post post;
        lock (_gate)
        {
            CloseLocked(_closeReason ?? new RpcConnectionClosedException("The QUIC connection was closed locally."),
                sendClose: true, 0);
            post = TakePostLocked();
        }
        RunPost(post);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Abort(null);
        await _linger;
        await _writerLoop;
    }
}
