using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Rpc25519.Compression;
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
                _readerThread = 0;
                // A server stops reading a client whose requests and replies pile up: TCP then holds the client back.
                ValueTask room = _buffered.WaitForRoomAsync(Closing);
                if (!room.IsCompleted || _budgetWanted > 0)
                {
                    // Work found so far must not wait with the reader.
                    QueueStaged();
                }
                await room;
                if (_budgetWanted > 0)
                {
                    // A large frame waits for room in the shared budget; meanwhile this connection reads nothing.
                    await _budget!.TakeAsync(_budgetWanted, _endpoint.CompletionOptions, Closing);
                    (_budgetTaken, _budgetWanted) = (_budgetWanted, 0);
                }
                ReadResult result = await ReadThenRunStaged(input.ReadAsync());
                _readerThread = Environment.CurrentManagedThreadId;
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool held = false;
                try
                {
                    while (!held)
                    {
                        FrameRead read = TryReadFrame(ref buffer, maxFrameBytes, out Message? message,
                            out byte compression, out LargeFrame large);
                        if (read == FrameRead.NeedMoreBytes)
                        {
                            break;
                        }
                        if (read == FrameRead.NeedBudget)
                        {
                            held = true;
                            break;
                        }
                        if (read == FrameRead.Large)
                        {
                            // Decoded in slices with yields between them; the bytes stay put until AdvanceTo below.
                            QueueStaged();
                            message = await DecodeLargeAsync(large, maxFrameBytes);
                            _readerThread = Environment.CurrentManagedThreadId;
                            buffer = buffer.Slice(large.Body.End);
                        }
                        _compression.NoteReceived(compression);
                        Diagnostics.RpcMetrics.Frame(Diagnostics.RpcMetrics.FramesReceived, compression);
                        Deliver(message!);
                        GiveBudgetUnlessHandled();
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
            _readerThread = 0;
            QueueStaged();
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

        /// <summary>The next frame is large and its cost is taken (<see cref="_budgetTaken"/>): decode it with
        /// <see cref="DecodeLargeAsync"/>.</summary>
        Large,
    }

    /// <summary>A whole large frame at the front of the reader's buffer.</summary>
    private readonly record struct LargeFrame(FrameHeader Header, ReadOnlySequence<byte> Body, long DecodedBytes);

    /// <summary>Takes one complete frame off the front of <paramref name="buffer"/> and decodes it; a large one takes
    /// its cost from the shared <see cref="MemoryBudget"/> and is left for <see cref="DecodeLargeAsync"/> (returned in
    /// <paramref name="large"/>, <paramref name="buffer"/> unchanged).</summary>
    private FrameRead TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out Message? message,
        out byte compression, out LargeFrame large)
    {
        message = null;
        compression = 0;
        large = default;
        if (!TryPeekFrame(buffer, maxFrameBytes, out FrameHeader header, out ReadOnlySequence<byte> body))
        {
            return FrameRead.NeedMoreBytes;
        }
        long size = FrameBodyDecoder.DecodedSize(header, body);
        if (_budget is not null && _budgetTaken == 0 && size >= MemoryBudget.LargeFrameBytes && size <= maxFrameBytes)
        {
            long cost = LargeFrameDecoder.CostOf(header.Compression, size);
            if (!_budget.Fits(cost))
            {
                throw new RpcProtocolException(ProtocolViolation.FrameOverBudget, $"A frame from {RemoteAddress} " +
                    $"decodes to {size} bytes and would need {cost} bytes of memory to decode, more than the whole " +
                    $"memory budget of {_budget.CapacityBytes} bytes (RpcOptions.DecodeBudget): give the server a " +
                    "larger budget, or send data this large as a stream.");
            }
            if (!_budget.TryTake(cost))
            {
                _budgetWanted = cost;
                return FrameRead.NeedBudget;
            }
            _budgetTaken = cost;
        }
        compression = header.Compression;
        // A client's large zstd replies (no budget: it asked for them) are decoded into their payload the same way.
        if (_budgetTaken > 0 || (_budget is null && size >= MemoryBudget.LargeFrameBytes && size <= maxFrameBytes
            && header.Compression is >= (byte)CompressionAlgo.Zstd01 and <= (byte)CompressionAlgo.Zstd11))
        {
            large = new LargeFrame(header, body, size);
            return FrameRead.Large;
        }
        message = FrameBodyDecoder.Decode(header, body, maxFrameBytes, _decodeContext);
        Diagnostics.RpcMetrics.Bytes(Diagnostics.RpcMetrics.BytesReceived, FrameHeader.Size + body.Length, _serverSide);
        buffer = buffer.Slice(body.End);
        return FrameRead.Frame;
    }

    /// <summary>Decodes a large frame whose cost was taken; afterwards the message keeps the share of its own size and
    /// the decoder's working memory is given back (all of it if decoding fails).</summary>
    private async ValueTask<Message> DecodeLargeAsync(LargeFrame frame, int maxFrameBytes)
    {
        Message message;
        try
        {
            message = await LargeFrameDecoder.DecodeAsync(frame.Header, frame.Body, maxFrameBytes, _decodeContext,
                _budget);
        }
        catch
        {
            _budget?.Give(_budgetTaken);
            _budgetTaken = 0;
            throw;
        }
        long kept = Math.Min(_budgetTaken, LargeFrameDecoder.MessageCostOf(message, frame.DecodedBytes));
        if (_budgetTaken > kept)
        {
            _budget!.Give(_budgetTaken - kept);
        }
        _deliveringBudget = new DeliveringBudget(message, kept);
        _budgetTaken = 0;
        Diagnostics.RpcMetrics.Bytes(Diagnostics.RpcMetrics.BytesReceived, FrameHeader.Size + frame.Body.Length,
            _serverSide);
        return message;
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
    private void GiveBudgetUnlessHandled()
    {
        if (_deliveringBudget.Bytes > 0)
        {
            _budget!.Give(_deliveringBudget.Bytes);
        }
        _deliveringBudget = default;
    }

    private void Deliver(Message message)
    {
        MessageHeader hdr = message.Header;
        // Set by the decoder already (see DecodeContext); this only changes a header decoded some other way.
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
        if (hdr.CallType is CallType.Reply or CallType.Error && hdr.SequenceNumber != 0
            && Calls.TryComplete(message, out PendingCall? claimed))
        {
            if (claimed is not null && !TryStage(claimed))
            {
                claimed.Execute();
            }
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
