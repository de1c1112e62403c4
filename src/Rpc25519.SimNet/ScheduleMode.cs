namespace Rpc25519.SimNet;

/// <summary>How the executor picks the next ready work item.</summary>
public enum ScheduleMode
{
    /// <summary>First in, first out: the natural order, fastest, and the default.</summary>
    Fifo = 0,

    /// <summary>The schedule sub-stream of the seed picks uniformly among all ready items (schedule exploration).
    /// Any order it produces is one the thread pool could also produce.</summary>
    Random = 1,
}
