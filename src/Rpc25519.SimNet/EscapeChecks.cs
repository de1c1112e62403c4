namespace Rpc25519.SimNet;

/// <summary>
/// Which process-wide signs of escaped work fail a run. Posts from a foreign thread are always an escape. The other
/// checks read process-wide counters, so runs that use them must not share the process with concurrent work (put such
/// tests in one non-parallel collection).
/// </summary>
[Flags]
public enum EscapeChecks
{
    /// <summary>Only foreign-thread posts are detected.</summary>
    None = 0,

    /// <summary>A real <see cref="System.Threading.Timer"/> created during the run is still alive at an idle point
    /// (a <c>Task.Delay</c>, <c>CancellationTokenSource</c> or timer without the node's TimeProvider).</summary>
    RealTimers = 1,

    /// <summary>Thread-pool work items were queued or completed during the run (<c>Task.Run</c>, <c>ThreadPool</c>,
    /// <c>ConfigureAwait(false)</c>, timer callbacks).</summary>
    ThreadPool = 2,

    /// <summary>All checks.</summary>
    All = RealTimers | ThreadPool,
}
