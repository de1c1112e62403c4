using Rpc25519.Messages;
using Rpc25519.Rpc.Streams;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>Guards <see cref="_streams"/> and <see cref="_streamsClosed"/>.</summary>
    private readonly Lock _streamsLock = new();

    /// <summary>Open streams by call ID.</summary>
    private readonly Dictionary<string, OpenStream> _streams = new(StringComparer.Ordinal);

    /// <summary>Open streams now; lets the reader loop skip the lookup when there are none.</summary>
    private int _openStreams;

    /// <summary>Set once the connection has closed: no stream may open any more.</summary>
    private bool _streamsClosed;

    private bool _streamsHooked;

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
        bool hook;
        lock (_streamsLock)
        {
            if (_streamsClosed)
            {
                throw ClosedError();
            }
            if (!_streams.TryAdd(stream.CallId, stream))
            {
                return false;
            }
            _openStreams++;
            hook = !_streamsHooked;
            _streamsHooked = true;
        }
        if (hook)
        {
            // When the connection closes, every open stream ends with the reason, on both sides.
            Closing.Register(static s => ((RpcConnection)s!).AbortStreams(), this);
        }
        return true;
    }

    public void RemoveStream(OpenStream stream)
    {
        lock (_streamsLock)
        {
            if (_streams.TryGetValue(stream.CallId, out OpenStream? found) && ReferenceEquals(found, stream))
            {
                _streams.Remove(stream.CallId);
                _openStreams--;
            }
        }
    }

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
        if (!streamFrame && (Volatile.Read(ref _openStreams) == 0
                             || type is not (CallType.Reply or CallType.Error)))
        {
            return false;
        }
        OpenStream? stream;
        lock (_streamsLock)
        {
            _streams.TryGetValue(message.Header.CallId, out stream);
        }
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
        List<OpenStream> open;
        lock (_streamsLock)
        {
            _streamsClosed = true;
            open = [.. _streams.Values];
            _streams.Clear();
            _openStreams = 0;
        }
        var reason = new RpcConnectionClosedException(
            $"The connection to {RemoteAddress} closed while the stream was open ({CloseReason?.Message}).", CloseReason);
        foreach (OpenStream stream in open)
        {
            stream.Abort(reason);
        }
    }
}
