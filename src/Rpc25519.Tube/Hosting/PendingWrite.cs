namespace Rpc25519.Tube.Hosting;

/// <summary>A proposal the leader appended at some index in <paramref name="Term"/>, waiting to be applied.</summary>
internal sealed record PendingWrite(long Term, TaskCompletionSource<TubeResponse> Completion);
