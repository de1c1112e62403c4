using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Hosting;

/// <summary>One item of the host loop's inbox: a Raft message from a peer, a client request, a wake-up from the tick
/// timer, or an inspection run inside the loop.</summary>
internal sealed class HostWork
{
    public static readonly HostWork Wake = new();

    public RaftMessage? Raft { get; private init; }

    public TubeRequest? Request { get; private init; }

    public TaskCompletionSource<TubeResponse>? Completion { get; private init; }

    public Action? Inspect { get; private init; }

    /// <summary>How long the loop stands still (a test's stand-in for a stopped process); zero for other work.</summary>
    public TimeSpan Pause { get; private init; }

    public static HostWork ForRaft(RaftMessage message) => new() { Raft = message };

    public static HostWork ForRequest(TubeRequest request, TaskCompletionSource<TubeResponse> completion) =>
        new() { Request = request, Completion = completion };

    public static HostWork ForInspect(Action inspect) => new() { Inspect = inspect };

    public static HostWork ForPause(TimeSpan pause, Action resumed) => new() { Pause = pause, Inspect = resumed };
}
