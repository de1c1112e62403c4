namespace Rpc25519.SimNet;

/// <summary>
/// The synchronization context a node's code runs under: every <c>await</c> continuation that captures it is queued
/// to the executor, tagged with the node's process.
/// </summary>
internal sealed class SimSynchronizationContext : SynchronizationContext
{
    private readonly SimProcess _process;

    public SimSynchronizationContext(SimProcess process)
    {
        _process = process;
    }

    public SimProcess Process => _process;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        _process.Executor.Enqueue(_process, TraceKind.Post, d, state, null, null);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        // A synchronous send can only be honoured on the simulation thread itself; from any other thread it would
        // block that thread on our loop, so it is reported as an escape instead.
        if (!_process.Executor.IsSimulationThread)
        {
            _process.Executor.ReportForeign("SynchronizationContext.Send", d, state);
            return;
        }
        d(state);
    }

    // The base implementation returns a plain SynchronizationContext, which would send continuations to the pool.
    public override SynchronizationContext CreateCopy() => this;
}
