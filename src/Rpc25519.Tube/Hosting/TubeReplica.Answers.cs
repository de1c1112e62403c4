namespace Rpc25519.Tube.Hosting;

/// <summary>Answers to client requests, sent at the end of each host-loop round.</summary>
/// <remarks>
/// A request's completion runs its continuation synchronously (it is made without
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>): completing it encodes the reply and writes it to
/// the client's connection on the completing thread. The loop collects the answers of a round and, at its end,
/// completes the last one itself, so a lone write is answered without a hop to another thread (the one-caller case),
/// while the others are handed to the scheduler one by one, so that 64 callers' replies are encoded and written in
/// parallel with the loop's next round rather than one after the other on it.
/// </remarks>
public sealed partial class TubeReplica
{
    private readonly List<Answered> answers = [];

    /// <summary>Queues <paramref name="response"/> for the request behind <paramref name="completion"/>; sent by
    /// <see cref="SendAnswers"/> at the end of the round. Loop only.</summary>
    private void Answer(TaskCompletionSource<TubeResponse> completion, TubeResponse response) =>
        answers.Add(new Answered(completion, response));

    /// <summary>Sends the round's answers: all but the last through the scheduler, the last on this thread.</summary>
    private void SendAnswers()
    {
        int count = answers.Count;
        if (count == 0)
        {
            return;
        }

        for (int i = 0; i < count - 1; i++)
        {
            _ = Task.Factory.StartNew(static state => ((Answered)state!).Complete(), answers[i], CancellationToken.None,
                TaskCreationOptions.DenyChildAttach, rpc.TaskScheduler);
        }

        Answered last = answers[count - 1];
        answers.Clear();
        last.Complete();
    }

    private sealed record Answered(TaskCompletionSource<TubeResponse> Completion, TubeResponse Response)
    {
        public void Complete() => Completion.TrySetResult(Response);
    }
}
