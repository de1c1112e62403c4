namespace Rpc25519.Tube.Hosting;

/// <summary>Answers to client requests, sent at the end of each host-loop round.</summary>
/// <remarks>
/// A request's completion runs its continuation synchronously (it is made without
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>): completing it encodes the reply and writes it to
/// the client's connection on the completing thread. The loop collects the answers of a round and, at its end,
/// completes the last one itself, so a lone write is answered without a hop to another thread (the one-caller case),
/// while the others go to the scheduler as one work item, so that 64 callers' replies are encoded and written in
/// parallel with the loop's next round rather than on it. One item and not one each: the replies mostly share a
/// connection, whose writes are serial anyway, and every item handed to an idle thread pool costs a thread
/// wake-up.
/// </remarks>
public sealed partial class TubeReplica
{
    private readonly List<Answered> answers = [];

    /// <summary>Queues <paramref name="response"/> for the request behind <paramref name="completion"/>; sent by
    /// <see cref="SendAnswers"/> at the end of the round. Loop only.</summary>
    private void Answer(TaskCompletionSource<TubeResponse> completion, TubeResponse response) =>
        answers.Add(new Answered(completion, response));

    /// <summary>Sends the round's answers: all but the last in one item of the scheduler, the last on this
    /// thread.</summary>
    private void SendAnswers()
    {
        int count = answers.Count;
        if (count == 0)
        {
            return;
        }

        if (count > 1)
        {
            Answered[] others = answers.GetRange(0, count - 1).ToArray();
            _ = Task.Factory.StartNew(static state =>
            {
                foreach (Answered answer in (Answered[])state!)
                {
                    answer.Complete();
                }
            }, others, CancellationToken.None, TaskCreationOptions.DenyChildAttach, rpc.TaskScheduler);
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
