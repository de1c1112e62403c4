using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>A batch is flushed once it holds this many bytes, even if more frames are queued.</summary>
    private const int FlushThresholdBytes = 256 * 1024;

    private async Task WriteLoopAsync()
    {
        ChannelReader<OutgoingFrame> queue = _sendQueue.Reader;
        PipeWriter output = _connection.Transport.Output;
        var body = new PooledBufferWriter();
        var written = new List<ISendCompletion>();
        Exception? failure = null;
        try
        {
            while (await queue.WaitToReadAsync())
            {
                long batchBytes = 0;
                while (batchBytes < FlushThresholdBytes && queue.TryRead(out OutgoingFrame frame))
                {
                    batchBytes += WriteFrame(output, body, frame, written);
                }
                FlushResult result = await output.FlushAsync();
                Volatile.Write(ref _lastSentUtcTicks, _endpoint.TimeProvider.GetUtcNow().UtcTicks);
                foreach (ISendCompletion completion in written)
                {
                    completion.OnSent();
                }
                written.Clear();
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException
                                      or OperationCanceledException or InvalidOperationException)
        {
            failure = new RpcConnectionClosedException($"Sending to {RemoteAddress} failed: {e.Message}", e);
        }
        finally
        {
            body.Dispose();
            FailUnsent(written, queue, failure);
            await output.CompleteAsync();
        }
    }

    /// <summary>Encodes one frame into <paramref name="output"/>; returns the bytes written (0 if it was refused).</summary>
    private int WriteFrame(PipeWriter output, PooledBufferWriter body, in OutgoingFrame frame,
        List<ISendCompletion> written)
    {
        body.Reset();
        MessageCodec.Encode(frame.Message, body);
        int maxFrameBytes = _endpoint.Config.MaxFrameBytes;
        if (body.WrittenCount > maxFrameBytes)
        {
            frame.Completion?.OnSendFailed(new RpcException(
                $"Message of {body.WrittenCount} bytes exceeds RpcConfig.MaxFrameBytes ({maxFrameBytes}); send large " +
                "data as a stream, or raise the limit on both sides."));
            return 0;
        }
        Span<byte> header = output.GetSpan(FrameHeader.Size);
        FrameHeader.Write(header, FrameBodyDecoder.NoCompression, body.WrittenCount);
        output.Advance(FrameHeader.Size);
        output.Write(body.WrittenSpan);
        if (frame.Message.Hdr.Typ == CallType.CallKeepAlive)
        {
            Interlocked.Increment(ref _keepAlivesSent);
        }
        if (frame.Completion is { } completion)
        {
            written.Add(completion);
        }
        return FrameHeader.Size + body.WrittenCount;
    }

    /// <summary>Tells everyone whose frame did not make it out that it will not.</summary>
    private void FailUnsent(List<ISendCompletion> written, ChannelReader<OutgoingFrame> queue, Exception? failure)
    {
        Exception reason = failure ?? CloseReason
            ?? new RpcConnectionClosedException($"The connection to {RemoteAddress} closed.");
        if (failure is not null)
        {
            Close(failure, graceful: false);
        }
        var error = new RpcConnectionClosedException(
            $"The connection to {RemoteAddress} closed before the message was sent ({reason.Message}).", reason);
        foreach (ISendCompletion completion in written)
        {
            completion.OnSendFailed(error);
        }
        _sendQueue.Writer.TryComplete();
        while (queue.TryRead(out OutgoingFrame frame))
        {
            frame.Completion?.OnSendFailed(error);
        }
    }
}
