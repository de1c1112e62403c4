using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    private async Task ReadLoopAsync()
    {
        PipeReader input = _connection.Transport.Input;
        int maxFrameBytes = _endpoint.Config.MaxFrameBytes;
        Exception? reason = null;
        try
        {
            while (reason is null)
            {
                // A server stops reading a client whose requests and replies pile up: TCP then holds the client back.
                await _buffered.WaitForRoomAsync(Closing);
                ReadResult result = await input.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool held = false;
                try
                {
                    while (!held && TryReadFrame(ref buffer, maxFrameBytes, _decodeContext, out Message? message,
                               out byte compression))
                    {
                        _compression.NoteReceived(compression);
                        Deliver(message);
                        held = _buffered.IsOver;
                    }
                    if (!held && (result.IsCompleted || result.IsCanceled))
                    {
                        reason = buffer.IsEmpty
                            ? new RpcConnectionClosedException($"The peer {RemoteAddress} closed the connection.")
                            : new RpcProtocolException(ProtocolViolation.TruncatedFrame,
                                $"The connection from {RemoteAddress} ended in the middle of a frame " +
                                $"({buffer.Length} bytes of it arrived).");
                    }
                }
                catch (RpcProtocolException e)
                {
                    reason = e;
                }
                // Frames left unread while held count as unexamined, so the next read returns them without new data.
                input.AdvanceTo(buffer.Start, held ? buffer.Start : buffer.End);
            }
            if (reason is RpcProtocolException violation)
            {
                RpcLog.ProtocolViolation(_logger, RemoteAddress, violation.Violation, violation.Message);
            }
        }
        catch (Exception e)
        {
            if (e is not (IOException or SocketException or ObjectDisposedException or OperationCanceledException
                or InvalidOperationException))
            {
                RpcLog.LoopFailed(_logger, RemoteAddress, "reader", e);
            }
            reason = new RpcConnectionClosedException($"Connection to {RemoteAddress} lost: {e.Message}", e);
        }
        finally
        {
            await input.CompleteAsync();
            Close(reason ?? new RpcConnectionClosedException($"Connection to {RemoteAddress} ended."), graceful: false);
        }
    }

    /// <summary>Takes one complete frame off the front of <paramref name="buffer"/> and decodes it.</summary>
    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, DecodeContext context,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message, out byte compression)
    {
        message = null;
        compression = 0;
        if (buffer.IsEmpty || !FrameHeader.TryRead(buffer, maxFrameBytes, out FrameHeader header))
        {
            return false;
        }
        long frameBytes = FrameHeader.Size + (long)header.BodyLength;
        if (buffer.Length < frameBytes)
        {
            return false;
        }
        ReadOnlySequence<byte> body = buffer.Slice(FrameHeader.Size, header.BodyLength);
        message = FrameBodyDecoder.Decode(header, body, maxFrameBytes, context);
        compression = header.Compression;
        buffer = buffer.Slice(frameBytes);
        return true;
    }

    private void Deliver(Message message)
    {
        MessageHeader hdr = message.Header;
        hdr.From = RemoteAddress;
        hdr.To = LocalAddress;
        DateTimeOffset now = _endpoint.TimeProvider.GetUtcNow();
        hdr.LocalReceiveTime = now;
        bool keepAlive = hdr.CallType == WireCallType.KeepAlive;
        _liveness.NoteReceived(now, keepAlive);
        if (keepAlive)
        {
            return;
        }
        if (hdr.CallType is CallType.Reply or CallType.Error && hdr.SequenceNumber != 0 && Calls.TryComplete(message))
        {
            return;
        }
        if (TryRouteToStream(message))
        {
            return;
        }
        try
        {
            _owner.OnMessageReceived(this, message);
        }
        catch (Exception e)
        {
            RpcLog.OwnerFailed(_logger, RemoteAddress, e);
        }
    }
}
