namespace Rpc25519.Rpc;

/// <summary>
/// The frames waiting to go out on one connection, bounded, first come first served, and the rule that at most one
/// drain writes them at a time.
/// </summary>
/// <remarks>
/// <para>Whoever adds a frame while no drain runs is told to start one. The connection starts it inline (no thread
/// hop: lowest latency for a lone caller) or on the task scheduler (a little later, so that frames from many
/// concurrent callers pile up and leave in one flush).</para>
/// <para>When the queue is full, a sender's frame waits in line with the sender; frames move from that line into the
/// queue in arrival order as the drain makes room, so a full queue never reorders frames nor drops any.</para>
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

    /// <summary>Senders whose frames wait for room, oldest first.</summary>
    private readonly LinkedList<WaitingSender> _waiting = new();

    /// <summary>A drain is running or about to run; only that drain takes frames.</summary>
    private bool _draining;

    /// <summary>Why no more frames are accepted (the connection is closing); null while open.</summary>
    private Exception? _closedReason;

    /// <summary>Options of the waiting senders' completion sources (<see cref="EndpointContext.CompletionOptions"/>).</summary>
    private readonly TaskCreationOptions _completionOptions;

    public SendQueue(int capacity, TaskCreationOptions completionOptions)
    {
        _capacity = capacity;
        _completionOptions = completionOptions;
    }

    /// <summary>Senders whose frames wait for room now (for tests that check that back-pressure holds them).</summary>
    internal int WaitingSenders
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    public enum AddResult
    {
        /// <summary>Queued; a drain is already running and will take it.</summary>
        Added,

        /// <summary>Queued; the caller must start a drain.</summary>
        AddedStartDrain,

        /// <summary>The queue is full: the frame waits in line; await the task that came with it.</summary>
        Waiting,

        /// <summary>Not queued: the connection is closing.</summary>
        Closed,
    }

    /// <summary>Adds a frame, or puts it in line behind earlier waiting frames when the queue is full.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="queued">With <see cref="AddResult.Waiting"/>: completes once the frame is in the queue; fails if
    /// the connection closes first, and is cancelled (frame withdrawn) if the token fires first.</param>
    /// <param name="cancellationToken">Withdraws a waiting frame.</param>
    public AddResult TryAdd(in OutgoingFrame frame, out Task? queued, CancellationToken cancellationToken = default)
    {
        queued = null;
        WaitingSender waiter;
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                return AddResult.Closed;
            }
            if (_frames.Count < _capacity && _waiting.Count == 0)
            {
                _frames.Enqueue(frame);
                if (_draining)
                {
                    return AddResult.Added;
                }
                _draining = true;
                return AddResult.AddedStartDrain;
            }
            waiter = new WaitingSender(frame, _completionOptions);
            waiter.Node = _waiting.AddLast(waiter);
        }
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(static (s, token) =>
            {
                var (queue, sender) = ((SendQueue, WaitingSender))s!;
                queue.Withdraw(sender, token);
            }, (this, waiter));
        }
        queued = waiter.Queued.Task;
        return AddResult.Waiting;
    }

    /// <summary>Adds a frame only if there is room right now (best-effort frames: cancels, keep-alives).</summary>
    /// <returns>Null if not added; otherwise whether the caller must start a drain.</returns>
    public bool? TryRoomNow(in OutgoingFrame frame)
    {
        lock (_lock)
        {
            if (_closedReason is not null || _frames.Count >= _capacity || _waiting.Count > 0)
            {
                return null;
            }
            _frames.Enqueue(frame);
            if (_draining)
            {
                return false;
            }
            _draining = true;
            return true;
        }
    }

    /// <summary>Moves the next batch into <paramref name="batch"/> (for the running drain only), then lets waiting
    /// frames into the room that made, in order.</summary>
    public void TakeBatch(List<OutgoingFrame> batch)
    {
        List<WaitingSender>? admitted = null;
        lock (_lock)
        {
            while (batch.Count < BatchFramesMax && _frames.TryDequeue(out OutgoingFrame frame))
            {
                batch.Add(frame);
            }
            while (_frames.Count < _capacity && _waiting.First?.Value is { } first)
            {
                _waiting.RemoveFirst();
                first.Node = null;
                _frames.Enqueue(first.Frame);
                (admitted ??= []).Add(first);
            }
        }
        if (admitted is null)
        {
            return;
        }
        foreach (WaitingSender sender in admitted)
        {
            sender.Registration.Dispose();
            sender.Queued.TrySetResult();
        }
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
                return _closedReason is not null && _frames.Count == 0;
            }
        }
    }

    /// <summary>
    /// Stops accepting frames; frames still waiting for room fail with <paramref name="reason"/>. Returns true if the
    /// caller must start a drain to flush what is queued and complete the output (no drain is running).
    /// </summary>
    public bool Complete(Exception reason)
    {
        WaitingSender[] refused;
        bool startDrain;
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                return false;
            }
            _closedReason = reason;
            startDrain = !_draining;
            _draining = true;
            refused = [.. _waiting];
            _waiting.Clear();
        }
        foreach (WaitingSender sender in refused)
        {
            sender.Node = null;
            sender.Registration.Dispose();
            sender.Queued.TrySetException(reason);
        }
        return startDrain;
    }

    /// <summary>Closes the queue and removes every frame still in it (after a failure).</summary>
    public List<OutgoingFrame> CompleteAndTakeAll(Exception reason)
    {
        Complete(reason);
        lock (_lock)
        {
            var rest = new List<OutgoingFrame>(_frames);
            _frames.Clear();
            return rest;
        }
    }

    private void Withdraw(WaitingSender sender, CancellationToken token)
    {
        lock (_lock)
        {
            if (sender.Node is null)
            {
                return;
            }
            _waiting.Remove(sender.Node);
            sender.Node = null;
        }
        sender.Queued.TrySetCanceled(token);
    }

    /// <summary>A frame waiting for room, and its sender's signal.</summary>
    private sealed class WaitingSender(OutgoingFrame frame, TaskCreationOptions options)
    {
        public OutgoingFrame Frame { get; } = frame;

        public TaskCompletionSource Queued { get; } = new(options);

        /// <summary>Its place in the line while it waits (guarded by the queue's lock); null once admitted or gone.</summary>
        public LinkedListNode<WaitingSender>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }
}
