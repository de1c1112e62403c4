using System.IO.Pipelines;

namespace Rpc25519.Transport.Quic;

/// <summary>Runs pipe continuations on a <see cref="TaskScheduler"/> (the thread pool by default, a simulation's
/// executor under SimNet): the session layer's writer resumes there when the output pipe was full.</summary>
internal sealed class TaskSchedulerPipeScheduler(TaskScheduler scheduler) : PipeScheduler
{
    public override void Schedule(Action<object?> action, object? state) =>
        _ = Task.Factory.StartNew(action, state, CancellationToken.None, TaskCreationOptions.DenyChildAttach,
            scheduler);
}
