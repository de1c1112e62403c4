namespace Rpc25519;

/// <summary>
/// A budget of bytes that a server's connections share for large incoming requests. A frame that decodes to at least
/// <see cref="LargeFrameBytes"/> takes from the budget every byte its decoding will allocate — its decoded message and,
/// for a compressed frame, the decompressor's working memory — before anything is allocated for it, and gives it back
/// once it has been handled (its handler has returned, or it was handed to a waiting call, stream or circuit). The
/// decompressed output is written straight into the message as it is produced and may not grow past what was taken, so
/// a frame whose declared size lies is refused as soon as it produces more. A frame that would need more than the whole
/// budget is refused (<see cref="ProtocolViolation.FrameOverBudget"/>). When the budget is spent, a connection that wants
/// more stops reading (so TCP holds its sender back) until earlier messages are done; waiting connections are served in
/// arrival order, so one connection cannot starve the others. Memory then grows with the budget, not with the number of
/// connections sending large or highly compressed frames at once (docs/security.md states the whole bound).
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>Frames smaller than this (decompressed) do not use the budget: they are bounded per connection by
    /// <see cref="RpcOptions.MaxBufferedBytesPerConnection"/> and cost less to track than to hold.</summary>
    public const int LargeFrameBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _inUse;

    /// <summary>Most bytes taken at once since the budget was made (guarded by <see cref="_lock"/>).</summary>
    private long _peakInUse;

    /// <summary>Bytes of decompressed output that decoders hold now, and the most at once (updated with
    /// <see cref="Interlocked"/>; see <see cref="NoteDecodeBuffer"/>).</summary>
    private long _decodeBuffers;

    private long _peakDecodeBuffers;

    /// <summary>Creates a budget.</summary>
    /// <param name="capacityBytes">Bytes of large messages (and their decoding) that may be held at once; at least
    /// <see cref="LargeFrameBytes"/>. A single message that needs more than the whole budget is refused: the
    /// connection that sent it is closed with <see cref="ProtocolViolation.FrameOverBudget"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacityBytes"/> is below
    /// <see cref="LargeFrameBytes"/>.</exception>
    public MemoryBudget(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, LargeFrameBytes);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The process-wide budget: a quarter of the memory the GC may use (so a container's heap limit is
    /// honoured), at least 64 MiB and at most 1 GiB.</summary>
    public static MemoryBudget Shared { get; } = new(Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4,
        64L * 1024 * 1024, 1024L * 1024 * 1024));

    /// <summary>Bytes of large messages that may be held at once.</summary>
    public long CapacityBytes { get; }

    /// <summary>Bytes taken now.</summary>
    public long InUseBytes
    {
        get
        {
            lock (_lock)
            {
                return _inUse;
            }
        }
    }

    /// <summary>The most bytes taken at once since the budget was made: never above <see cref="CapacityBytes"/>.</summary>
    public long PeakInUseBytes
    {
        get
        {
            lock (_lock)
            {
                return _peakInUse;
            }
        }
    }

    /// <summary>Bytes of decompressed output that decoders of large frames hold now (part of what they took).</summary>
    internal long DecodeBufferBytes => Interlocked.Read(ref _decodeBuffers);

    /// <summary>The most decompressed output that decoders held at once since the budget was made.</summary>
    internal long PeakDecodeBufferBytes => Interlocked.Read(ref _peakDecodeBuffers);

    /// <summary>Whether a message that needs <paramref name="cost"/> bytes can ever be taken.</summary>
    internal bool Fits(long cost) => cost <= CapacityBytes;

    /// <summary>A decoder allocated (positive) or let go (negative) <paramref name="bytes"/> of decompressed output.
    /// Only counts: the bytes were taken from the budget beforehand.</summary>
    internal void NoteDecodeBuffer(long bytes)
    {
        long now = Interlocked.Add(ref _decodeBuffers, bytes);
        long peak = Interlocked.Read(ref _peakDecodeBuffers);
        while (now > peak && Interlocked.CompareExchange(ref _peakDecodeBuffers, now, peak) is var seen && seen != peak)
        {
            peak = seen;
        }
    }

    /// <summary>Takes <paramref name="cost"/> bytes now if they are free and nobody waits before us.</summary>
    internal bool TryTake(long cost)
    {
        System.Diagnostics.Debug.Assert(Fits(cost), "a cost over the whole budget is refused before it is taken");
        lock (_lock)
        {
            if (_waiters.Count > 0 || _inUse + cost > CapacityBytes)
            {
                return false;
            }
            AddLocked(cost);
            return true;
        }
    }

    /// <summary>Takes <paramref name="cost"/> bytes (at most <see cref="CapacityBytes"/>), waiting behind earlier
    /// takers until they are free.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first (nothing is
    /// taken).</exception>
    internal async Task TakeAsync(long cost, TaskCreationOptions completionOptions, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _inUse + cost <= CapacityBytes)
            {
                AddLocked(cost);
                return;
            }
            waiter = new Waiter(cost, new TaskCompletionSource(completionOptions));
            _waiters.Enqueue(waiter);
        }
        await using CancellationTokenRegistration registration = cancellationToken.Register(
            static s => ((MemoryBudget)((object[])s!)[0]).Withdraw((Waiter)((object[])s!)[1]), new object[] { this, waiter });
        await waiter.Granted.Task;
    }

    /// <summary>Gives back bytes taken with <see cref="TryTake"/> or <see cref="TakeAsync"/>, and lets the waiters that
    /// now fit go, in order.</summary>
    internal void Give(long cost)
    {
        List<Waiter>? granted = null;
        lock (_lock)
        {
            _inUse -= cost;
            while (_waiters.TryPeek(out Waiter? next))
            {
                if (next.Withdrawn)
                {
                    _waiters.Dequeue();
                    continue;
                }
                if (_inUse + next.Cost > CapacityBytes)
                {
                    break;
                }
                _waiters.Dequeue();
                AddLocked(next.Cost);
                next.IsGranted = true;
                (granted ??= []).Add(next);
            }
        }
        if (granted is not null)
        {
            foreach (Waiter waiter in granted)
            {
                waiter.Granted.TrySetResult();
            }
        }
    }

    private void AddLocked(long cost)
    {
        _inUse += cost;
        _peakInUse = Math.Max(_peakInUse, _inUse);
    }

    private void Withdraw(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.IsGranted)
            {
                // Granted before the cancel: the taker holds the bytes and gives them back itself.
                return;
            }
            waiter.Withdrawn = true;
        }
        waiter.Granted.TrySetCanceled();
        // Its place may have held up waiters behind it.
        Give(0);
    }

    private sealed class Waiter(long cost, TaskCompletionSource granted)
    {
        public long Cost { get; } = cost;

        public TaskCompletionSource Granted { get; } = granted;

        /// <summary>Cancelled before it was granted (guarded by the budget's lock).</summary>
        public bool Withdrawn { get; set; }

        /// <summary>Granted its bytes (guarded by the budget's lock).</summary>
        public bool IsGranted { get; set; }
    }
}
