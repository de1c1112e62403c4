namespace Rpc25519.Tube.Hosting;

/// <summary>A client's wait for the reply to (<paramref name="SessionId"/>, <paramref name="Serial"/>), held until
/// this replica applies the command or <paramref name="Deadline"/> passes.</summary>
internal sealed record ParkedReplyWait(long SessionId, long Serial, TaskCompletionSource<TubeResponse> Completion,
    DateTimeOffset Deadline);
