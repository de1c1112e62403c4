namespace Rpc25519.Tube.Hosting;

/// <summary>A client read waiting for its read index (<see cref="Index"/> 0), then for the state machines to apply
/// it.</summary>
internal sealed class ClientRead(TubeRequest request, TaskCompletionSource<TubeResponse> completion,
    DateTimeOffset deadline)
{
    public TubeRequest Request { get; } = request;

    public TaskCompletionSource<TubeResponse> Completion { get; } = completion;

    public DateTimeOffset Deadline { get; } = deadline;

    public long Index { get; set; }
}
