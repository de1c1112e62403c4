namespace Rpc25519.Tube.Hosting;

/// <summary>Answers to client requests, sent at the end of each host-loop round.</summary>
/// <remarks>
/// A request's completion runs its continuation synchronously (it is made without
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>): completing it encodes the reply and writes it to
/// the client's connection on the completing thread. The loop collects the answers of a round and, at its end,
/// completes a lone answer itself, so one caller's write is answered without a hop to another thread. Two or more
/// are each handed to the scheduler, as the completion sources' asynchronous continuations did before, so that 64
/// callers' replies are encoded and written on the pool's threads while the loop, the bottleneck under load, goes on
/// with its next round.
/// </remarks>
public sealed partial class TubeReplica
{
    private readonly List<Answered> answers = [];

    /// <summary>Queues <paramref name="response"/> for the request behind <paramref name="completion"/>; sent by
    /// <see cref="SendAnswers"/> at the end of the round. Loop only.</summary>
    private void Answer(TaskCompletionSource<TubeResponse> completion, TubeResponse response) =>
        answers.Add(new Answered(completion, response));

    /// <summary>Sends the round's answers: a lone one on this thread, more through the scheduler.</summary>
    private void SendAnswers()
    {
        int count = answers.Count;
        if (count == 0)
        {
            return;
        }

        if (count == 1)
        {
            Answered only = answers[0];
            answers.Clear();
            only.Complete();
            return;
        }

        foreach (Answered answer in answers)
        {
            _ = Task.Factory.StartNew(static state => ((Answered)state!).Complete(), answer, CancellationToken.None,
                TaskCreationOptions.DenyChildAttach, rpc.TaskScheduler);
        }

        answers.Clear();
    }

    private sealed record Answered(TaskCompletionSource<TubeResponse> Completion, TubeResponse Response)
    {
        public void Complete() => Completion.TrySetResult(Response);
    }
}
