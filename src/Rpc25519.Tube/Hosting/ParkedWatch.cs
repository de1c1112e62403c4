using Rpc25519.Tube.StateMachines.Changes;

namespace Rpc25519.Tube.Hosting;

/// <summary>A watch call held open until a matching change is applied or its wait runs out. It holds no changes:
/// the page is read from the feed when the call is answered.</summary>
internal sealed class ParkedWatch(TubeRequest request, ChangeFilter filter, TaskCompletionSource<TubeResponse> completion,
    DateTimeOffset deadline)
{
    public TubeRequest Request { get; } = request;

    public ChangeFilter Filter { get; } = filter;

    public TaskCompletionSource<TubeResponse> Completion { get; } = completion;

    public DateTimeOffset Deadline { get; } = deadline;

    /// <summary>Where the next read starts: moves past changes the filter skipped, so a held call never rescans
    /// them.</summary>
    public long From { get; set; } = request.FromIndex;
}
