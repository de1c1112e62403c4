namespace Rpc25519.Rpc;

/// <summary>
/// Counts the bytes one connection holds — requests in (or waiting for) their handlers, and frames waiting to go out —
/// and, when a limit is set, holds its reader back while there are too many: a server stops reading a client's
/// requests while that client's work and replies pile up, so TCP pushes back on a client that sends but does not read,
/// instead of the server growing without bound. Reading resumes once the backlog is down to half the limit.
/// </summary>
/// <remarks>Thread-safe: senders add, the writer removes, the reader waits.</remarks>
internal sealed class BufferedBytesGate
{
    /// <summary>Bytes counted per frame beyond its payload (header and encoding, roughly).</summary>
    public const int FrameOverheadBytes = 64;

    private readonly long _pauseAbove;
    private readonly TaskCreationOptions _completionOptions;
    private readonly Lock _lock = new();
    private long _held;
    private TaskCompletionSource? _resume;

    /// <param name="pauseAbove">Hold the reader while more than this many bytes wait; zero for never.</param>
    /// <param name="completionOptions">Options for the reader's wake-up signal.</param>
    public BufferedBytesGate(long pauseAbove, TaskCreationOptions completionOptions)
    {
        _pauseAbove = pauseAbove;
        _completionOptions = completionOptions;
    }

    /// <summary>Bytes held now (payloads plus a fixed allowance per message).</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Whether the reader should stop taking frames now.</summary>
    public bool IsOver => _pauseAbove > 0 && Interlocked.Read(ref _held) > _pauseAbove;

    /// <summary>The bytes a message counts for while it is held.</summary>
    public static long CostOf(Messages.Message message) => message.Payload.Length + FrameOverheadBytes;

    public void Add(long bytes) => Interlocked.Add(ref _held, bytes);

    /// <summary>Bytes are no longer held (written, a handler finished, or never queued after all); wakes a held
    /// reader once the backlog is down to half the limit.</summary>
    public void Remove(long bytes)
    {
        long left = Interlocked.Add(ref _held, -bytes);
        if (_pauseAbove > 0 && left <= _pauseAbove / 2 && Volatile.Read(ref _resume) is not null)
        {
            Wake();
        }
    }

    /// <summary>Completes at once while the backlog is within the limit; otherwise when it is down to half the limit,
    /// or when <paramref name="closing"/> fires.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken closing)
    {
        if (_pauseAbove <= 0 || Interlocked.Read(ref _held) <= _pauseAbove)
        {
            return ValueTask.CompletedTask;
        }
        return WaitAsync(closing);
    }

    /// <summary>Lets a held reader go (the connection is closing).</summary>
    public void Wake()
    {
        TaskCompletionSource? resume;
        lock (_lock)
        {
            resume = _resume;
            _resume = null;
        }
        resume?.TrySetResult();
    }

    private async ValueTask WaitAsync(CancellationToken closing)
    {
        TaskCompletionSource resume;
        lock (_lock)
        {
            resume = _resume ??= new TaskCompletionSource(_completionOptions);
        }
        // The writer may have drained everything between the first check and the signal's creation.
        if (Interlocked.Read(ref _held) <= _pauseAbove / 2)
        {
            Wake();
        }
        await using CancellationTokenRegistration _ = closing.Register(static s => ((BufferedBytesGate)s!).Wake(), this);
        await resume.Task;
    }
}
