namespace Rpc25519.Rpc;

/// <summary>
/// The frames waiting to go out on one connection, bounded, and the rule that at most one drain writes them at a time.
/// </summary>
/// <remarks>
/// <para>Whoever adds a frame while no drain runs is told to start one. The connection starts it inline (no thread
/// hop: lowest latency for a lone caller) or on the task scheduler (a little later, so that frames from many
/// concurrent callers pile up and leave in one flush).</para>
/// <para>Thread-safe; nothing runs under the lock but list and flag updates.</para>
/// </remarks>
internal sealed class SendQueue
{
    /// <summary>Frames taken per batch at most, so that one flush cannot grow without bound.</summary>
    private const int BatchFramesMax = 1024;

    /// <summary>Guards every field below.</summary>
    private readonly Lock _lock = new();

    private readonly Queue<OutgoingFrame> _frames = new();
    private readonly int _capacity;

    /// <summary>Producers waiting for room; all are woken whenever a batch is taken.</summary>
    private List<TaskCompletionSource>? _waitingForRoom;

    /// <summary>A drain is running or about to run; only that drain takes frames.</summary>
    private bool _draining;

    /// <summary>No more frames are accepted (the connection is closing).</summary>
    private bool _completed;

    public SendQueue(int capacity)
    {
        _capacity = capacity;
    }

    public enum AddResult
    {
        /// <summary>Queued; a drain is already running and will take it.</summary>
        Added,

        /// <summary>Queued; the caller must start a drain.</summary>
        AddedStartDrain,

        /// <summary>Not queued: the queue is at capacity; wait for room and try again.</summary>
        Full,

        /// <summary>Not queued: the connection is closing.</summary>
        Closed,
    }

    public AddResult TryAdd(in OutgoingFrame frame)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return AddResult.Closed;
            }
            if (_frames.Count >= _capacity)
            {
                return AddResult.Full;
            }
            _frames.Enqueue(frame);
            if (_draining)
            {
                return AddResult.Added;
            }
            _draining = true;
            return AddResult.AddedStartDrain;
        }
    }

    /// <summary>Completes when the queue may have room (or is closed); the caller then tries again.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_completed || _frames.Count < _capacity)
            {
                return Task.CompletedTask;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waitingForRoom ??= []).Add(waiter);
        }
        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Moves the next batch into <paramref name="batch"/> (for the running drain only) and wakes producers
    /// that wait for room.</summary>
    public void TakeBatch(List<OutgoingFrame> batch)
    {
        List<TaskCompletionSource>? wake;
        lock (_lock)
        {
            while (batch.Count < BatchFramesMax && _frames.TryDequeue(out OutgoingFrame frame))
            {
                batch.Add(frame);
            }
            wake = _waitingForRoom;
            _waitingForRoom = null;
        }
        WakeAll(wake);
    }

    /// <summary>
    /// Called by the drain after a flush: true if nothing is left, in which case the drain must end (the next
    /// producer starts a new one); false if more frames arrived and the drain must go on.
    /// </summary>
    public bool TryFinishDrain()
    {
        lock (_lock)
        {
            if (_frames.Count > 0)
            {
                return false;
            }
            _draining = false;
            return true;
        }
    }

    /// <summary>Whether the queue is closed and empty, so the output can be completed.</summary>
    public bool IsCompletedAndEmpty
    {
        get
        {
            lock (_lock)
            {
                return _completed && _frames.Count == 0;
            }
        }
    }

    /// <summary>
    /// Stops accepting frames. Returns true if the caller must start a drain to flush what is queued and complete the
    /// output (no drain is running).
    /// </summary>
    public bool Complete()
    {
        List<TaskCompletionSource>? wake;
        bool startDrain;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            _completed = true;
            startDrain = !_draining;
            _draining = true;
            wake = _waitingForRoom;
            _waitingForRoom = null;
        }
        WakeAll(wake);
        return startDrain;
    }

    /// <summary>Closes the queue and removes every frame still in it (after a failure).</summary>
    public List<OutgoingFrame> CompleteAndTakeAll()
    {
        Complete();
        lock (_lock)
        {
            var rest = new List<OutgoingFrame>(_frames);
            _frames.Clear();
            return rest;
        }
    }

    private static void WakeAll(List<TaskCompletionSource>? waiters)
    {
        foreach (TaskCompletionSource waiter in waiters ?? [])
        {
            waiter.TrySetResult();
        }
    }
}
