using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Rpc25519.Rpc;

internal sealed partial class RpcConnection
{
    /// <summary>Work the reader loop found in the frames it took — replies to publish to their callers
    /// (<see cref="PendingCall"/>), requests to run (<c>HandlerInvocation</c>) — held until the loop waits for bytes
    /// again (see <see cref="TryStage"/>). Touched by the reader loop only.</summary>
    private readonly List<IThreadPoolWorkItem> _staged = [];

    /// <summary>The managed thread running the reader loop's frame processing, 0 when it is not running; only that
    /// thread may stage work.</summary>
    private int _readerThread;

    /// <summary>
    /// Hands <paramref name="work"/> to the reader loop to run once it is waiting for bytes again: the last piece of
    /// work runs on the loop's own thread right after the loop has suspended (one thread hop less per call than
    /// queueing it: a lone caller's continuation or a lone request's handler runs where its frame was read), the rest
    /// goes to the thread pool at that moment. Either way the work never runs inside the loop: a caller or handler
    /// that blocks holds up its thread, never the connection. Only with the default scheduler (with any other, work is
    /// started as before, on that scheduler, so a simulation sees the same steps), and only on the reader loop.
    /// </summary>
    /// <returns>False when the caller must start <paramref name="work"/> itself.</returns>
    public bool TryStage(IThreadPoolWorkItem work)
    {
        if (!_endpoint.AsyncContinuations || _readerThread != Environment.CurrentManagedThreadId)
        {
            return false;
        }
        _staged.Add(work);
        return true;
    }

    /// <summary>Sends all staged work to the thread pool (the reader is about to wait for something other than bytes,
    /// or to end).</summary>
    private void QueueStaged()
    {
        foreach (IThreadPoolWorkItem work in _staged)
        {
            Queue(work);
        }
        _staged.Clear();
    }

    /// <summary>Awaits <paramref name="read"/>; staged work runs as <see cref="TryStage"/> says: the last piece on
    /// this thread once the loop has suspended, or on the pool if the read has completed already (the loop goes on
    /// at once).</summary>
    private ReadThenRun ReadThenRunStaged(ValueTask<ReadResult> read)
    {
        _readerThread = 0;
        if (_staged.Count == 0)
        {
            return new ReadThenRun(read, null);
        }
        IThreadPoolWorkItem last = _staged[^1];
        _staged.RemoveAt(_staged.Count - 1);
        QueueStaged();
        if (read.IsCompleted)
        {
            Queue(last);
            return new ReadThenRun(read, null);
        }
        return new ReadThenRun(read, last);
    }

    private static void Queue(IThreadPoolWorkItem work)
    {
#pragma warning disable RS0030 // Staging happens only with the default scheduler, whose workers are the thread pool's.
        ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
#pragma warning restore RS0030
    }

    /// <summary>Awaits a read; when the loop suspends on it, runs one piece of staged work on the thread that is
    /// being let go.</summary>
    private readonly struct ReadThenRun(ValueTask<ReadResult> read, IThreadPoolWorkItem? work) : ICriticalNotifyCompletion
    {
        public ReadThenRun GetAwaiter() => this;

        /// <summary>Never complete while work waits, even if the read completed meanwhile: the work runs in
        /// <see cref="UnsafeOnCompleted"/>, and the loop then resumes from the pool.</summary>
        public bool IsCompleted => work is null && read.IsCompleted;

        public ReadResult GetResult() => read.GetAwaiter().GetResult();

        public void OnCompleted(Action continuation)
        {
            read.GetAwaiter().OnCompleted(continuation);
            work?.Execute();
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            // The loop's continuation is registered first: from here on the loop resumes on its own when bytes come,
            // whatever the work does with this thread.
            read.GetAwaiter().UnsafeOnCompleted(continuation);
            work?.Execute();
        }
    }
}
