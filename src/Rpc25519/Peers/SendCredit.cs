namespace Rpc25519.Peers;

/// <summary>
/// The credit one side of a circuit may still spend on sending, in the units of <see cref="CostOf"/>: a counter with a
/// first-in-first-out queue of senders waiting for enough of it.
/// </summary>
/// <remarks>Thread-safe. Nothing runs under the lock but counter and queue updates; waiters are completed after
/// it.</remarks>
internal sealed class SendCredit
{
    /// <summary>Payload bytes per credit unit beyond the first (each fragment costs at least one unit).</summary>
    private const int BytesPerUnit = 4096;

    /// <summary>Guards every field below.</summary>
    private readonly Lock _lock = new();

    private readonly LinkedList<Waiter> _waiting = new();
    private long _available;
    private bool _closed;

    /// <summary>
    /// What a fragment with <paramref name="payloadBytes"/> of payload costs against a receive window of
    /// <paramref name="window"/> units: one unit, plus one per 4 KiB, but never more than the whole window (so that any
    /// fragment can be sent). Both sides compute it from the same numbers, so their accounts agree.
    /// </summary>
    public static int CostOf(int payloadBytes, int window) => Math.Min(window, 1 + payloadBytes / BytesPerUnit);

    /// <summary>Takes <paramref name="cost"/> units if they are there and nobody waits before this caller.</summary>
    public bool TryTake(int cost)
    {
        lock (_lock)
        {
            if (_closed || _waiting.Count > 0 || _available < cost)
            {
                return false;
            }
            _available -= cost;
            return true;
        }
    }

    /// <summary>How many sends wait for credit now (what a test checks to know a send is held by the window).</summary>
    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Waits until <paramref name="cost"/> units can be taken (in arrival order), then takes them.</summary>
    /// <returns>True once taken; false if the credit was closed (the circuit closed) first.</returns>
    public async Task<bool> TakeAsync(int cost, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(cost, cancellationToken);
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }
            if (_waiting.Count == 0 && _available >= cost)
            {
                _available -= cost;
                return true;
            }
            waiter.Node = _waiting.AddLast(waiter);
        }
        using (cancellationToken.UnsafeRegister(static s =>
               {
                   var (credit, abandoned) = ((SendCredit, Waiter))s!;
                   credit.Abandon(abandoned);
               }, (this, waiter)))
        {
            return await waiter.Done.Task;
        }
    }

    /// <summary>Adds credit the remote granted and hands it to waiting senders in order.</summary>
    public void Grant(long units)
    {
        List<Waiter>? ready = null;
        lock (_lock)
        {
            _available += units;
            while (_waiting.First is { } first && first.Value.Cost <= _available)
            {
                _available -= first.Value.Cost;
                _waiting.RemoveFirst();
                (ready ??= []).Add(first.Value);
            }
        }
        foreach (Waiter waiter in ready ?? [])
        {
            waiter.Done.TrySetResult(true);
        }
    }

    /// <summary>Stops all sending: waiting senders are told false, later ones too.</summary>
    public void Close()
    {
        Waiter[] waiting;
        lock (_lock)
        {
            _closed = true;
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (Waiter waiter in waiting)
        {
            waiter.Done.TrySetResult(false);
        }
    }

    /// <summary>A waiting sender gave up: it leaves the queue, unless it was served already (then it keeps the credit
    /// and its send goes on, so that no credit is lost).</summary>
    private void Abandon(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }
            _waiting.Remove(waiter.Node);
        }
        waiter.Done.TrySetCanceled(waiter.CancellationToken);
        // Those queued behind it may fit now.
        Grant(0);
    }

    private sealed class Waiter(int cost, CancellationToken cancellationToken)
    {
        public int Cost { get; } = cost;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
