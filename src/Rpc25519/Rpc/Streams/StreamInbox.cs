using Rpc25519.Messages;

namespace Rpc25519.Rpc.Streams;

/// <summary>
/// The receiving side of one stream direction: an ordered queue filled by the connection's reader loop and drained
/// by one consumer. Bounded by credit (see <see cref="StreamCredit"/>): a sender that overruns its credit breaks the
/// protocol and the connection is closed; the reader loop itself never waits here.
/// </summary>
/// <remarks>Thread-safe: one producer (the reader loop) and one consumer.</remarks>
internal sealed class StreamInbox
{
    /// <summary>Guards every field below.</summary>
    private readonly Lock _lock = new();
    private readonly Queue<Message> _queue = new();

    /// <summary>How far ahead of its consumer the sender may get, in credit bytes.</summary>
    private readonly long _window;

    /// <summary>Sends a new absolute credit total to the sender (called outside the lock, on the consumer's thread).</summary>
    private readonly Func<long, ValueTask> _grant;

    /// <summary>Credit bytes received so far.</summary>
    private long _received;

    /// <summary>Credit bytes the consumer has taken.</summary>
    private long _consumed;

    /// <summary>Credit total allowed to the sender so far.</summary>
    private long _allowed = StreamCredit.InitialBytes;

    /// <summary>The StreamPart the next part must carry.</summary>
    private long _expectedPart;

    /// <summary>Credit bytes queued now, and the most ever queued (for tests and diagnostics).</summary>
    private long _queuedBytes;
    private long _maxQueuedBytes;

    /// <summary>The last part has arrived: after the queue, the stream ends normally.</summary>
    private bool _ended;

    /// <summary>Why the stream failed; thrown to the consumer once the queue is empty.</summary>
    private Exception? _error;

    /// <summary>The consumer waiting for a part, if any.</summary>
    private TaskCompletionSource? _waiter;

    /// <summary>Options of <see cref="_waiter"/> (<see cref="RpcConnection.CompletionOptions"/>).</summary>
    private readonly TaskCreationOptions _completionOptions;

    public StreamInbox(long window, Func<long, ValueTask> grant, TaskCreationOptions completionOptions)
    {
        _completionOptions = completionOptions;
        _window = Math.Max(window, StreamCredit.InitialBytes);
        _grant = grant;
    }

    /// <summary>The most credit bytes ever queued at once.</summary>
    public long MaxQueuedBytes => Interlocked.Read(ref _maxQueuedBytes);

    /// <summary>Called by the reader loop for each arriving part.</summary>
    /// <exception cref="RpcProtocolException">The part is out of order, or beyond the sender's credit.</exception>
    public void Add(Message part, bool isLast)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            if (_ended || _error is not null)
            {
                return; // The stream is over here (cancelled or failed); late parts are dropped.
            }
            if (part.Header.StreamPart != _expectedPart)
            {
                throw new RpcProtocolException(ProtocolViolation.StreamProtocol,
                    $"Stream {part.Header.CallId}: part {part.Header.StreamPart} arrived where part {_expectedPart} was due.");
            }
            if (_received >= _allowed)
            {
                throw new RpcProtocolException(ProtocolViolation.StreamProtocol,
                    $"Stream {part.Header.CallId}: the sender sent past its credit ({_received} of {_allowed} bytes).");
            }
            long cost = StreamCredit.Cost(part);
            _expectedPart++;
            _received += cost;
            _queuedBytes += cost;
            _maxQueuedBytes = Math.Max(_maxQueuedBytes, _queuedBytes);
            _queue.Enqueue(part);
            _ended = isLast;
            wake = _waiter;
            _waiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Ends the stream with an error (after what is queued), or normally when <paramref name="error"/> is
    /// null. Does nothing if it already ended or failed.</summary>
    public void Finish(Exception? error)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            if (_ended || _error is not null)
            {
                return;
            }
            if (error is null)
            {
                _ended = true;
            }
            else
            {
                _error = error;
            }
            wake = _waiter;
            _waiter = null;
        }
        wake?.TrySetResult();
    }

    /// <summary>Takes the next part, waiting for it; null once the stream has ended normally.</summary>
    /// <exception cref="Exception">The stream failed (connection lost, remote error, cancelled).</exception>
    public async ValueTask<Message?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            long grant = 0;
            Message? part = null;
            lock (_lock)
            {
                if (_queue.TryDequeue(out part))
                {
                    long cost = StreamCredit.Cost(part);
                    _queuedBytes -= cost;
                    _consumed += cost;
                    // Top the sender up once half the window is used, so credit frames stay rare.
                    if (!_ended && _allowed - _consumed <= _window / 2)
                    {
                        _allowed = _consumed + _window;
                        grant = _allowed;
                    }
                }
                else if (_error is not null)
                {
                    throw _error;
                }
                else if (_ended)
                {
                    return null;
                }
                else
                {
                    if (_allowed < _window)
                    {
                        // First wait: open the full window (done here, not on the reader loop, which never sends).
                        _allowed = _window;
                        grant = _allowed;
                    }
                    _waiter ??= new TaskCompletionSource(_completionOptions);
                }
                wait = _waiter?.Task ?? Task.CompletedTask;
            }
            if (grant > 0)
            {
                await _grant(grant);
            }
            if (part is not null)
            {
                return part;
            }
            await wait.WaitAsync(cancellationToken);
        }
    }
}
