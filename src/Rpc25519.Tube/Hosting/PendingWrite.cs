namespace Rpc25519.Tube.Hosting;

/// <summary>A proposal the leader appended at some index in <paramref name="Term"/>, waiting to be applied;
/// <paramref name="Started"/> is its timestamp for <c>tube.commit.duration</c> (0 when nobody listened).</summary>
internal sealed record PendingWrite(long Term, TaskCompletionSource<TubeResponse> Completion, long Started = 0);
