using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>Open streams by call ID.</summary>
    private readonly StreamTable _streams = new();

    /// <summary>Whether the close hook that aborts open streams is registered (once, with the first stream).</summary>
    private int _streamsHooked;

    /// <summary>Per-stream receive window (see <see cref="StreamCredit"/>).</summary>
    public long StreamWindowBytes => _endpoint.Config.StreamWindowBytes;

    /// <summary>A fresh SequenceNumber for a stream (shared with calls, so they never collide).</summary>
    public ulong NextSeqno() => (ulong)Interlocked.Increment(ref _lastSeqno);

    /// <summary>The endpoint's call ID source.</summary>
    public string NewCallId() => _endpoint.NewCallId();

    /// <summary>Registers an open stream; false if one with its call ID is open already.</summary>
    /// <exception cref="RpcConnectionClosedException">The connection is closed.</exception>
    public bool TryAddStream(OpenStream stream)
    {
        bool added;
        try
        {
            added = _streams.TryAdd(stream);
        }
        catch (InvalidOperationException)
        {
            throw ClosedError();
        }
        if (added && Interlocked.Exchange(ref _streamsHooked, 1) == 0)
        {
            // When the connection closes, every open stream ends with the reason, on both sides.
            Closing.Register(static s => ((RpcConnection)s!).AbortStreams(), this);
        }
        return added;
    }

    public void RemoveStream(OpenStream stream) => _streams.Remove(stream);

    /// <summary>Sends a cancellation for a call ID without waiting (dropped if the send queue is full or closed).</summary>
    public void SendCancelBestEffort(string callId, ulong seqno, string serviceName)
    {
        var cancel = new Message(new MessageHeader
        {
            CallType = WireCallType.CancelPrevious,
            CallId = callId,
            SequenceNumber = seqno,
            ServiceName = serviceName,
        });
        _endpoint.StampOutgoing(cancel);
        TrySendBestEffort(cancel);
    }

    /// <summary>Called by the reader loop: hands a stream frame to its stream. Stream parts and credits for a stream
    /// that is no longer open are dropped (true); anything else not for a stream returns false.</summary>
    private bool TryRouteToStream(Message message)
    {
        CallType type = message.Header.CallType;
        bool streamFrame = type is >= CallType.UploadMore and <= CallType.DownloadEnd
            and not CallType.DownloadRequest or WireCallType.StreamCredit;
        if (!streamFrame && (_streams.IsEmpty || type is not (CallType.Reply or CallType.Error)))
        {
            return false;
        }
        OpenStream? stream = _streams.Find(message.Header.CallId);
        if (stream is not null && stream.Route(message))
        {
            return true;
        }
        if (streamFrame)
        {
            RpcLog.StreamFrameDropped(_logger, RemoteAddress, message.Header.CallId, type.ToString());
            return true;
        }
        return false;
    }

    private void AbortStreams()
    {
        List<OpenStream> open = _streams.Close();
        var reason = new RpcConnectionClosedException(
            $"The connection to {RemoteAddress} closed while the stream was open ({CloseReason?.Message}).", CloseReason);
        foreach (OpenStream stream in open)
        {
            stream.Abort(reason);
        }
    }
}
