using System.Buffers;
using System.IO.Pipelines;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>A batch is flushed once it holds this many bytes, even if more frames are queued.</summary>
    private const int FlushThresholdBytes = 256 * 1024;


    /// <summary>Reused by the one running drain: frames taken from the queue.</summary>
    private readonly List<OutgoingFrame> _batch = [];

    /// <summary>Reused by the one running drain: who to tell once the flush is done.</summary>
    private readonly List<ISendCompletion> _written = [];

    /// <summary>The current (or last) drain; the connection's writer loop, started on demand.</summary>
    private Task _writerLoop = Task.CompletedTask;

    /// <summary>Queues a frame, waiting while the queue is full.</summary>
    /// <param name="frame">The frame and who to tell when it is out.</param>
    /// <param name="inline">Whether a drain this call has to start may run on this thread now (lone caller), or
    /// should be scheduled so that concurrent frames can join its flush.</param>
    /// <param name="cancellationToken">Stops waiting for room in a full queue.</param>
    private ValueTask EnqueueAsync(in OutgoingFrame frame, bool inline, CancellationToken cancellationToken)
    {
        long cost = BufferedBytesGate.CostOf(frame.Message);
        _buffered.Add(cost);
        switch (_sendQueue.TryAdd(frame, out Task? queued, cancellationToken))
        {
            case SendQueue.AddResult.Added:
                return ValueTask.CompletedTask;
            case SendQueue.AddResult.AddedStartDrain:
                StartDrain(inline);
                return ValueTask.CompletedTask;
            case SendQueue.AddResult.Closed:
                _buffered.Remove(cost);
                throw ClosedError();
            default:
                return WaitInLineAsync(queued!, cost);
        }
    }

    private async ValueTask WaitInLineAsync(Task queued, long cost)
    {
        try
        {
            await queued;
        }
        catch (Exception e) when (e is RpcConnectionClosedException or OperationCanceledException)
        {
            // The frame never entered the queue.
            _buffered.Remove(cost);
            if (e is OperationCanceledException)
            {
                throw;
            }
            throw ClosedError();
        }
    }

    private void StartDrain(bool inline)
    {
        _writerLoop = inline
            ? DrainAsync()
            // PreferFairness queues the drain behind work already waiting (e.g. the handlers whose replies it should
            // carry) instead of running it next on this thread, which would flush one frame at a time.
            : Task.Factory.StartNew(static s => ((RpcConnection)s!).DrainAsync(), this, CancellationToken.None,
                TaskCreationOptions.DenyChildAttach | TaskCreationOptions.PreferFairness,
                _endpoint.Config.TaskScheduler).Unwrap();
    }

    /// <summary>Writes batches until the queue is empty, one flush per batch; completes the output once the queue
    /// is closed and empty.</summary>
    private async Task DrainAsync()
    {
        PipeWriter output = _connection.Transport.Output;
        try
        {
            while (true)
            {
                _sendQueue.TakeBatch(_batch);
                long batchBytes = 0;
                int taken = 0;
                for (; taken < _batch.Count && batchBytes < FlushThresholdBytes; taken++)
                {
                    if (_encoder.WantsPreparation(_batch[taken].Message))
                    {
                        // A large zstd body is compressed in slices, yielding between them: others' work goes first.
                        await _encoder.PrepareAsync(_batch[taken].Message);
                    }
                    batchBytes += WriteFrame(output, _batch[taken]);
                }
                _batch.RemoveRange(0, taken);
                Diagnostics.RpcMetrics.Bytes(Diagnostics.RpcMetrics.BytesSent, batchBytes, _serverSide);
                FlushResult result = await output.FlushAsync();
                _liveness.NoteFlushed();
                foreach (ISendCompletion completion in _written)
                {
                    completion.OnSent();
                }
                _written.Clear();
                if (result.IsCompleted || result.IsCanceled)
                {
                    throw new IOException("The transport stopped accepting data.");
                }
                if (_batch.Count == 0 && _sendQueue.TryFinishDrain())
                {
                    break;
                }
            }
            if (_sendQueue.IsCompletedAndEmpty)
            {
                await output.CompleteAsync();
            }
        }
        catch (Exception e)
        {
            // Any failure ends this connection, never the process: transport errors are expected when a peer goes
            // away; anything else is a bug worth an error log, but still only this connection's problem.
            if (e is not (IOException or System.Net.Sockets.SocketException or ObjectDisposedException
                or OperationCanceledException or InvalidOperationException))
            {
                RpcLog.LoopFailed(_logger, RemoteAddress, "writer", e);
            }
            var failure = new RpcConnectionClosedException($"Sending to {RemoteAddress} failed: {e.Message}", e);
            Close(failure, graceful: false);
            FailUnsent(failure);
            await output.CompleteAsync(failure);
        }
    }

    /// <summary>Encodes one frame into <paramref name="output"/>; returns the bytes written (0 if it was refused).</summary>
    private int WriteFrame(PipeWriter output, in OutgoingFrame frame)
    {
        _buffered.Remove(BufferedBytesGate.CostOf(frame.Message));
        int frameBytes = _encoder.Write(output, frame.Message, out long bodyBytes);
        if (frameBytes == 0)
        {
            frame.Completion?.OnSendFailed(new RpcException(
                $"Message of {bodyBytes} bytes exceeds RpcOptions.MaxFrameBytes ({_endpoint.Config.MaxFrameBytes}); " +
                "send large data as a stream, or raise the limit on both sides."));
            return 0;
        }
        if (frame.Message.Header.CallType == WireCallType.KeepAlive)
        {
            _liveness.NoteKeepAliveSent();
        }
        if (frame.Completion is { } completion)
        {
            _written.Add(completion);
        }
        return frameBytes;
    }

    /// <summary>Tells everyone whose frame did not make it out that it will not.</summary>
    private void FailUnsent(Exception reason)
    {
        var error = new RpcConnectionClosedException(
            $"The connection to {RemoteAddress} closed before the message was sent ({reason.Message}).", reason);
        foreach (ISendCompletion completion in _written)
        {
            completion.OnSendFailed(error);
        }
        _written.Clear();
        foreach (OutgoingFrame frame in _batch)
        {
            frame.Completion?.OnSendFailed(error);
        }
        _batch.Clear();
        foreach (OutgoingFrame frame in _sendQueue.CompleteAndTakeAll(error))
        {
            frame.Completion?.OnSendFailed(error);
        }
        _encoder.Dispose();
    }

    private RpcConnectionClosedException ClosedError() => new(
        $"The connection to {RemoteAddress} is closed ({CloseReason?.Message}); create a new client to reconnect.",
        CloseReason);
}
