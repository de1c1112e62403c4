using System.IO.Pipelines;

namespace Rpc25519.SimNet;

/// <summary>
/// A <see cref="PipeScheduler"/> that queues pipe callbacks (a reader woken by a flush, a writer woken by a read) to
/// the executor as work of one node's process, whatever context the awaiting code captured.
/// </summary>
internal sealed class SimPipeScheduler : PipeScheduler
{
    private readonly SimProcess _process;

    public SimPipeScheduler(SimProcess process)
    {
        _process = process;
    }

    public override void Schedule(Action<object?> action, object? state)
    {
        ArgumentNullException.ThrowIfNull(action);
        _process.Executor.Enqueue(_process, TraceKind.Internal, action, state, null, "pipe");
    }
}
