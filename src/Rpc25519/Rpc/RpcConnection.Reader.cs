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
                if (_budgetWanted > 0)
                {
                    // A large frame waits for room in the shared budget; meanwhile this connection reads nothing.
                    await _budget!.TakeAsync(_budgetWanted, _endpoint.CompletionOptions, Closing);
                    (_budgetTaken, _budgetWanted) = (_budgetWanted, 0);
                }
                ReadResult result = await input.ReadAsync();
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool held = false;
                try
                {
                    while (!held)
                    {
                        FrameRead read = TryReadFrame(ref buffer, maxFrameBytes, out Message? message,
                            out byte compression);
                        if (read == FrameRead.NeedMoreBytes)
                        {
                            break;
                        }
                        if (read == FrameRead.NeedBudget)
                        {
                            held = true;
                            break;
                        }
                        _compression.NoteReceived(compression);
                        Diagnostics.RpcMetrics.Frame(Diagnostics.RpcMetrics.FramesReceived, compression);
                        Deliver(message!);
                        GiveBudgetUnlessHandled(message!);
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
            if (_budgetTaken > 0)
            {
                _budget!.Give(_budgetTaken);
                _budgetTaken = 0;
            }
            await input.CompleteAsync();
            Close(reason ?? new RpcConnectionClosedException($"Connection to {RemoteAddress} ended."), graceful: false);
        }
    }

    /// <summary>What one attempt to take a frame found.</summary>
    private enum FrameRead
    {
        /// <summary>A frame was taken and decoded.</summary>
        Frame,

        /// <summary>The next frame has not fully arrived.</summary>
        NeedMoreBytes,

        /// <summary>The next frame is large and the shared budget has no room for it now (see
        /// <see cref="_budgetWanted"/>).</summary>
        NeedBudget,
    }

    /// <summary>Takes one complete frame off the front of <paramref name="buffer"/> and decodes it; a large one first
    /// takes its size from the shared <see cref="MemoryBudget"/>.</summary>
    private FrameRead TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out Message? message,
        out byte compression)
    {
        message = null;
        compression = 0;
        if (!TryPeekFrame(buffer, maxFrameBytes, out FrameHeader header, out ReadOnlySequence<byte> body))
        {
            return FrameRead.NeedMoreBytes;
        }
        if (_budget is not null && _budgetTaken == 0 && FrameBodyDecoder.DecodedSize(header, body) is var size
            && size >= MemoryBudget.LargeFrameBytes)
        {
            long cost = _budget.CostOf(size);
            if (!_budget.TryTake(cost))
            {
                _budgetWanted = cost;
                return FrameRead.NeedBudget;
            }
            _budgetTaken = cost;
        }
        try
        {
            message = FrameBodyDecoder.Decode(header, body, maxFrameBytes, _decodeContext);
        }
        catch
        {
            if (_budgetTaken > 0)
            {
                _budget!.Give(_budgetTaken);
                _budgetTaken = 0;
            }
            throw;
        }
        message.BudgetBytes = _budgetTaken;
        _budgetTaken = 0;
        compression = header.Compression;
        Diagnostics.RpcMetrics.Bytes(Diagnostics.RpcMetrics.BytesReceived, FrameHeader.Size + body.Length, _serverSide);
        buffer = buffer.Slice(body.End);
        return FrameRead.Frame;
    }

    /// <summary>Whether a whole frame is at the front of <paramref name="buffer"/>; its header and body if so.</summary>
    /// <exception cref="RpcProtocolException">The bytes cannot start a valid frame.</exception>
    private static bool TryPeekFrame(in ReadOnlySequence<byte> buffer, int maxFrameBytes, out FrameHeader header,
        out ReadOnlySequence<byte> body)
    {
        body = default;
        if (buffer.IsEmpty || !FrameHeader.TryRead(buffer, maxFrameBytes, out header))
        {
            header = default;
            return false;
        }
        if (buffer.Length < FrameHeader.Size + (long)header.BodyLength)
        {
            return false;
        }
        body = buffer.Slice(FrameHeader.Size, header.BodyLength);
        return true;
    }

    /// <summary>The reader loop's frame decoding without the memory budget: takes one complete frame off the front of
    /// <paramref name="buffer"/> and decodes it (the fuzzer's entry point).</summary>
    /// <exception cref="RpcProtocolException">The bytes are not a valid frame.</exception>
    internal static bool TryDecodeFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, DecodeContext context,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Message? message, out byte compression)
    {
        message = null;
        compression = 0;
        if (!TryPeekFrame(buffer, maxFrameBytes, out FrameHeader header, out ReadOnlySequence<byte> body))
        {
            return false;
        }
        message = FrameBodyDecoder.Decode(header, body, maxFrameBytes, context);
        compression = header.Compression;
        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>Gives a delivered message's budget back, unless a handler took it over (it gives it back when it
    /// ends).</summary>
    private void GiveBudgetUnlessHandled(Message message)
    {
        if (!message.BudgetHeldByHandler && Interlocked.Exchange(ref message.BudgetBytes, 0) is var bytes and > 0)
        {
            _budget!.Give(bytes);
        }
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
