namespace Rpc25519.Tube.Raft;

/// <summary>
/// The leader's view of one follower: how far its log matches, what to send next, and what it reported recently.
/// Not thread-safe; owned by the leader's <see cref="RaftNode"/>. Created fresh at every election win.
/// </summary>
internal sealed class Progress
{
    /// <summary>Last index of each append in flight (Replicate state), oldest first; bounded by the window.</summary>
    private readonly Queue<long> inflight = new();

    private readonly int inflightMax;

    public Progress(long next, int inflightMax)
    {
        Next = next;
        this.inflightMax = inflightMax;
    }

    /// <summary>The highest index known to match the leader's log on this follower.</summary>
    public long Match { get; private set; }

    /// <summary>The next index to send.</summary>
    public long Next { get; set; }

    /// <summary>The replication mode.</summary>
    public ProgressState State { get; private set; }

    /// <summary>In Probe state: an append is out and we wait for its answer or a heartbeat answer.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>Heard from this follower since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>The configuration the follower reported in its latest response of this term (Mongo Q1/Q2).</summary>
    public Membership? ReportedConfig { get; set; }

    /// <summary>The highest read round the follower acknowledged in this term.</summary>
    public ulong ReadRoundAcked { get; set; }

    /// <summary>The highest leader tick echoed by the follower's heartbeat answers (lease reads); 0 if none.</summary>
    public long LeaseTickAcked { get; set; }

    /// <summary>The highest commit index sent to this follower in an append or heartbeat of this term.</summary>
    public long CommitSent { get; set; }

    /// <summary>The highest <see cref="RaftMessage.PeersDurable"/> sent to this follower in this term.</summary>
    public long PeersDurableSent { get; set; }

    /// <summary>The snapshot being streamed in Snapshot state.</summary>
    public RaftSnapshot? Snapshot { get; private set; }

    /// <summary>Bytes of <see cref="Snapshot"/> the follower confirmed.</summary>
    public long SnapshotOffset { get; set; }

    /// <summary>True if the leader must wait before sending another append.</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => inflight.Count >= inflightMax,
        _ => true,
    };

    /// <summary>True if the in-flight window is full.</summary>
    public bool InflightFull => inflight.Count >= inflightMax;

    /// <summary>Records an acknowledged match; returns true if it moved forward.</summary>
    public bool MaybeUpdate(long index)
    {
        bool updated = index > Match;
        if (updated)
        {
            Match = index;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>
    /// Handles a rejection of the append after <paramref name="rejected"/> with the leader's computed match guess.
    /// Returns false if the rejection is stale.
    /// </summary>
    public bool MaybeDecrease(long rejected, long matchGuess)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }
        }
        else if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, matchGuess + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    /// <summary>Records an append sent in Replicate state up to <paramref name="lastIndex"/>.</summary>
    public void SentEntries(long lastIndex, int count)
    {
        if (State == ProgressState.Replicate)
        {
            if (count == 0)
            {
                return; // An empty append (commit or probe carrier) takes no window slot.
            }

            Next = lastIndex + 1;
            inflight.Enqueue(lastIndex);
        }
        else
        {
            ProbeSent = true;
        }
    }

    /// <summary>Frees window slots for appends acknowledged up to <paramref name="index"/>.</summary>
    public void FreeTo(long index)
    {
        while (inflight.Count > 0 && inflight.Peek() <= index)
        {
            inflight.Dequeue();
        }
    }

    /// <summary>Frees the oldest slot (a heartbeat answer proves the follower is alive while the window is
    /// stuck).</summary>
    public void FreeFirst()
    {
        inflight.TryDequeue(out _);
    }

    public void BecomeProbe()
    {
        if (State == ProgressState.Snapshot && Snapshot is not null)
        {
            Next = Math.Max(Match + 1, Snapshot.Index + 1);
        }
        else
        {
            Next = Match + 1;
        }

        State = ProgressState.Probe;
        ProbeSent = false;
        Snapshot = null;
        inflight.Clear();
    }

    public void BecomeReplicate()
    {
        State = ProgressState.Replicate;
        Next = Match + 1;
        Snapshot = null;
        inflight.Clear();
    }

    public void BecomeSnapshot(RaftSnapshot snapshot)
    {
        State = ProgressState.Snapshot;
        Snapshot = snapshot;
        SnapshotOffset = 0;
        ProbeSent = false;
        inflight.Clear();
    }
}
