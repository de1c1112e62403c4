namespace Rpc25519.SimNet;

/// <summary>One entry of the executor's ready queue: what to run, for which node process, in which order.</summary>
internal struct WorkItem
{
    /// <summary>The process (node incarnation) that owns the work; dead processes' items are skipped.</summary>
    public SimProcess Process;

    /// <summary>Position in the global enqueue order; deterministic because only the simulation thread
    /// enqueues.</summary>
    public long Sequence;

    /// <summary>How <see cref="Callback"/> is invoked.</summary>
    public TraceKind Kind;

    /// <summary>A <see cref="SendOrPostCallback"/>, <see cref="Action{T}"/> or <see cref="TimerCallback"/>, by
    /// kind.</summary>
    public Delegate? Callback;

    /// <summary>The callback's argument.</summary>
    public object? State;

    /// <summary>The task to execute when <see cref="Kind"/> is <see cref="TraceKind.Task"/>.</summary>
    public Task? Task;

    /// <summary>An optional constant label copied into the trace.</summary>
    public string? Note;
}
