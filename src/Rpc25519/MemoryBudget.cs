namespace Rpc25519;

/// <summary>
/// A budget of bytes that a server's connections share for large incoming requests. A frame of at least
/// <see cref="LargeFrameBytes"/> (counted at its decompressed size) takes its size from the budget before it is
/// decompressed and gives it back once it has been handled — its handler has returned, or it was handed to a waiting
/// call, stream or circuit. When the budget is spent, a connection that wants more stops reading (so TCP holds its
/// sender back) until earlier messages are done; waiting connections are served in arrival order, so one connection
/// cannot starve the others. Memory then grows with the budget, not with the number of connections sending large or
/// highly compressed frames at once.
/// </summary>
/// <remarks>Thread-safe. <see cref="Shared"/> is the process-wide default of every <see cref="RpcOptions"/>; give
/// servers or clients a budget of their own to keep them apart.</remarks>
public sealed class MemoryBudget
{
    /// <summary>Frames smaller than this (decompressed) do not use the budget: they are bounded per connection by
    /// <see cref="RpcOptions.MaxBufferedBytesPerConnection"/> and cost less to track than to hold.</summary>
    public const int LargeFrameBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _inUse;

    /// <summary>Creates a budget.</summary>
    /// <param name="capacityBytes">Bytes of large messages that may be held at once; at least
    /// <see cref="LargeFrameBytes"/>. A single message larger than the whole budget waits until the budget is unused,
    /// then takes all of it.</param>
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

    /// <summary>What a message of <paramref name="bytes"/> takes: all of the budget at most.</summary>
    internal long CostOf(long bytes) => Math.Min(bytes, CapacityBytes);

    /// <summary>Takes <paramref name="cost"/> bytes now if they are free and nobody waits before us.</summary>
    internal bool TryTake(long cost)
    {
        lock (_lock)
        {
            if (_waiters.Count > 0 || _inUse + cost > CapacityBytes)
            {
                return false;
            }
            _inUse += cost;
            return true;
        }
    }

    /// <summary>Takes <paramref name="cost"/> bytes, waiting behind earlier takers until they are free.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first (nothing is
    /// taken).</exception>
    internal async Task TakeAsync(long cost, TaskCreationOptions completionOptions, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _inUse + cost <= CapacityBytes)
            {
                _inUse += cost;
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
                _inUse += next.Cost;
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
