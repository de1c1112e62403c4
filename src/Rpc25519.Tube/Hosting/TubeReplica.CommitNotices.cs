namespace Rpc25519.Tube.Hosting;

/// <summary>
/// Deferred commit notices (<see cref="TubeReplicaOptions.CommitNoticeDelay"/>): a leader tells followers a new
/// commit index in its next append, or, if none leaves within the delay, in empty appends sent when a timer finds the
/// notice still owed. The loop publishes since when notices are owed; the timer reads it, re-arms itself while the
/// delay has not passed, and wakes the loop only when it has.
/// </summary>
public sealed partial class TubeReplica
{
    private const long NothingOwed = long.MinValue;

    private ITimer? noticeTimer;

    /// <summary>The timestamp (of the replica's <see cref="TimeProvider"/>) at which the current run of owed commit
    /// notices began, or <see cref="NothingOwed"/>. Written only by the loop.</summary>
    private long noticesOwedSince = NothingOwed;

    /// <summary>1 while <see cref="noticeTimer"/> is armed.</summary>
    private int noticeTimerArmed;

    /// <summary>In the loop, before the round's batches: sends the notices that stayed owed for the whole delay.</summary>
    private void SendDueCommitNotices()
    {
        if (noticesOwedSince != NothingOwed && DelayLeft(noticesOwedSince) <= TimeSpan.Zero)
        {
            node.SendCommitNotices();
        }
    }

    /// <summary>In the loop, after the round's batches: publishes whether notices are owed, and makes sure the timer
    /// runs while they are.</summary>
    private void WatchCommitNotices()
    {
        if (!node.CommitNoticesOwed)
        {
            Volatile.Write(ref noticesOwedSince, NothingOwed);
            return;
        }

        if (noticesOwedSince == NothingOwed)
        {
            Volatile.Write(ref noticesOwedSince, time.GetTimestamp());
        }

        ArmNoticeTimer(DelayLeft(noticesOwedSince));
    }

    /// <summary>How much of <see cref="TubeReplicaOptions.CommitNoticeDelay"/> is left for notices owed since
    /// <paramref name="since"/> (zero or less: they are due).</summary>
    private TimeSpan DelayLeft(long since) => options.CommitNoticeDelay - time.GetElapsedTime(since);

    /// <summary>Arms the timer unless it is armed. The due time is rounded up to whole milliseconds: system timers
    /// count whole milliseconds, and a remainder below one would fire at once, again and again, until it passed.</summary>
    private void ArmNoticeTimer(TimeSpan dueIn)
    {
        if (Interlocked.CompareExchange(ref noticeTimerArmed, 1, 0) == 0)
        {
            TimeSpan due = dueIn > TimeSpan.Zero
                ? TimeSpan.FromMilliseconds(Math.Ceiling(dueIn.TotalMilliseconds))
                : TimeSpan.Zero;
            noticeTimer?.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>On the timer: the armed flag is cleared before the owed state is read, so a run the loop starts
    /// meanwhile either sees the flag clear and arms the timer itself, or is seen here.</summary>
    private void OnCommitNoticeTimer()
    {
        Volatile.Write(ref noticeTimerArmed, 0);
        long since = Volatile.Read(ref noticesOwedSince);
        if (since == NothingOwed)
        {
            return;
        }

        TimeSpan remaining = DelayLeft(since);
        if (remaining > TimeSpan.Zero)
        {
            ArmNoticeTimer(remaining);
        }
        else
        {
            inbox.Writer.TryWrite(HostWork.Wake);
        }
    }
}
