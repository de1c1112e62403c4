using System.Runtime.CompilerServices;
using Rpc25519.Messages;

namespace Rpc25519.Rpc.Streams;

/// <summary>
/// One stream (upload, download or bistream) on one connection, seen from one side: its call ID and SequenceNumber, the
/// credit-bounded queue of parts coming in, the credit for parts going out, and (on the client) the final reply.
/// Registered with its connection by call ID while open, so that the reader loop can route parts to it.
/// </summary>
/// <remarks>Thread-safe, but each direction has one sender and one consumer at a time.</remarks>
internal sealed class OpenStream
{
    private readonly RpcConnection _connection;

    /// <summary>The part types this side accepts from the network (download parts on a client, upload parts on a
    /// server).</summary>
    private readonly bool _acceptsDownloadParts;

    /// <summary>Index of the next outgoing part.</summary>
    private long _nextPart;

    /// <summary>1 once the last outgoing part has been sent.</summary>
    private int _outgoingDone;

    /// <summary>1 while a send is in progress (one sender at a time).</summary>
    private int _sending;

    public OpenStream(RpcConnection connection, string callId, ulong seqno, string serviceName, DateTimeOffset? deadline,
        bool isClient, bool receives, bool sends)
    {
        _connection = connection;
        CallId = callId;
        SequenceNumber = seqno;
        ServiceName = serviceName;
        Deadline = deadline;
        _acceptsDownloadParts = isClient;
        if (receives)
        {
            Inbox = new StreamInbox(connection.StreamWindowBytes, SendCreditAsync, connection.CompletionOptions);
        }
        if (sends)
        {
            Outbox = new StreamOutbox(connection.CompletionOptions);
        }
        if (isClient)
        {
            Reply = new TaskCompletionSource<Message>(connection.CompletionOptions);
        }
    }

    public string CallId { get; }

    public ulong SequenceNumber { get; }

    public string ServiceName { get; }

    public DateTimeOffset? Deadline { get; }

    /// <summary>Parts coming in; null when this side only sends.</summary>
    public StreamInbox? Inbox { get; }

    /// <summary>Credit for parts going out; null when this side only receives.</summary>
    public StreamOutbox? Outbox { get; }

    /// <summary>Client only: the final reply (or the failure that replaced it).</summary>
    public TaskCompletionSource<Message>? Reply { get; }

    /// <summary>Sends the client's opening request of a download (not a counted part).</summary>
    public async ValueTask SendOpeningAsync(Message request, CallType type, CancellationToken cancellationToken)
    {
        Stamp(request.Header, type, 0);
        await _connection.EnqueueAsync(request, moreComing: false, cancellationToken);
    }

    /// <summary>Sends one part, waiting for credit first; <paramref name="type"/> is the part's call type.</summary>
    /// <exception cref="InvalidOperationException">The last part was already sent, or another send is running.</exception>
    public async ValueTask SendPartAsync(Message part, CallType type, bool last, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (Volatile.Read(ref _outgoingDone) != 0)
        {
            throw new InvalidOperationException($"Stream {CallId} has already sent its last part; no more sending is allowed.");
        }
        if (Interlocked.Exchange(ref _sending, 1) != 0)
        {
            throw new InvalidOperationException($"Stream {CallId}: parts must be sent one at a time (await each send).");
        }
        try
        {
            await Outbox!.SpendAsync(StreamCredit.Cost(part), cancellationToken);
            Stamp(part.Header, type, _nextPart++);
            if (last)
            {
                Volatile.Write(ref _outgoingDone, 1);
            }
            // Parts share flushes with the ones that follow; the last one is flushed at once.
            await _connection.EnqueueAsync(part, moreComing: !last, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
        }
    }

    /// <summary>Reads the incoming parts in order until the last one.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <param name="cancelRemotely">Whether cancelling also cancels the stream at the other side (client).</param>
    public async IAsyncEnumerable<Message> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken,
        bool cancelRemotely)
    {
        while (true)
        {
            Message? part;
            try
            {
                part = await Inbox!.ReadAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancelRemotely && cancellationToken.IsCancellationRequested)
            {
                Cancel();
                throw;
            }
            if (part is null)
            {
                yield break;
            }
            yield return part;
        }
    }

    /// <summary>Called by the reader loop with a frame for this stream; false if the frame is not one for it.</summary>
    /// <exception cref="RpcProtocolException">A part out of order or past its credit.</exception>
    public bool Route(Message message)
    {
        MessageHeader hdr = message.Header;
        switch (hdr.CallType)
        {
            case WireCallType.StreamCredit:
                Outbox?.Grant(hdr.StreamPart);
                return true;
            case CallType.DownloadBegin or CallType.DownloadMore or CallType.DownloadEnd
                when _acceptsDownloadParts && Inbox is not null:
                Inbox.Add(message, hdr.CallType == CallType.DownloadEnd);
                return true;
            case CallType.UploadMore or CallType.UploadEnd when !_acceptsDownloadParts && Inbox is not null:
                Inbox.Add(message, hdr.CallType == CallType.UploadEnd);
                return true;
            case CallType.Reply or CallType.Error when Reply is not null:
                Finish(message);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Client: the final reply arrived; everything still open ends.</summary>
    private void Finish(Message reply)
    {
        _connection.RemoveStream(this);
        Exception? error = ReplyErrors.ToException(reply);
        Inbox?.Finish(error);
        Outbox?.Fail(error ?? new RpcException(
            $"The server finished stream {CallId} ('{ServiceName}') before this side sent its last part."));
        if (error is not null)
        {
            Reply!.TrySetException(error);
        }
        else
        {
            Reply!.TrySetResult(reply);
        }
    }

    /// <summary>Ends the stream here at once with <paramref name="reason"/> (cancel, connection lost, handler done).</summary>
    public void Abort(Exception reason)
    {
        Inbox?.Finish(reason);
        Outbox?.Fail(reason);
        Reply?.TrySetException(reason);
    }

    /// <summary>Client: cancels the stream on both sides (best effort remotely) and ends it here.</summary>
    public void Cancel()
    {
        if (Reply is { Task.IsCompleted: true })
        {
            return;
        }
        _connection.RemoveStream(this);
        _connection.SendCancelBestEffort(CallId, SequenceNumber, ServiceName);
        Abort(new OperationCanceledException($"Stream {CallId} ('{ServiceName}') was cancelled."));
    }

    private void Stamp(MessageHeader hdr, CallType type, long part)
    {
        hdr.CallType = type;
        hdr.CallId = CallId;
        hdr.SequenceNumber = SequenceNumber;
        hdr.StreamPart = part;
        hdr.ServiceName = ServiceName;
        hdr.FromServiceName = ServiceName;
        hdr.Deadline = Deadline;
    }

    private ValueTask SendCreditAsync(long allowed)
    {
        var credit = new Message(new MessageHeader
        {
            CallType = WireCallType.StreamCredit,
            CallId = CallId,
            SequenceNumber = SequenceNumber,
            StreamPart = allowed,
        });
        return SendQuietlyAsync(credit);
    }

    private async ValueTask SendQuietlyAsync(Message message)
    {
        try
        {
            await _connection.EnqueueAsync(message, moreComing: false, CancellationToken.None);
        }
        catch (RpcConnectionClosedException)
        {
            // The stream ends with the connection; its parts fail on their own.
        }
    }
}
