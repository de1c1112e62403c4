using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>A simulated host: the Raft core, its disk, its state machine, and whether it is running.</summary>
internal sealed class SimNode
{
    public SimNode(ulong id, RaftOptions options)
    {
        Id = id;
        Node = new RaftNode(options);
    }

    public ulong Id { get; }

    public SimStorage Storage { get; } = new();

    public KvStore Kv { get; } = new();

    /// <summary>The running core; replaced on restart.</summary>
    public RaftNode Node { get; private set; }

    public bool Alive { get; private set; } = true;

    /// <summary>
    /// A paused process (a long GC, a stopped VM) neither ticks nor handles anything before this tick.
    /// </summary>
    public long PausedUntil { get; set; }

    /// <summary>Ticks the node missed while paused; its timer catches up with them on resume.</summary>
    public int MissedTicks { get; set; }

    /// <summary>
    /// The host's clock for <see cref="RaftOptions.HostClock"/>: ticks its timer counted for the current core, paused
    /// time included, delivered or not.
    /// </summary>
    public long ClockTicks { get; set; }

    /// <summary>The host's timer fired: count the tick, and deliver it unless the process is paused.</summary>
    public void TimerFired(long tick, bool countWhilePaused)
    {
        if (!Running(tick))
        {
            MissedTicks++;
            if (countWhilePaused)
            {
                ClockTicks++;
            }

            return;
        }

        CatchUp();
        ClockTicks++;
        Node.Tick();
    }

    /// <summary>Delivers the ticks missed during a pause (the host contract: before anything else).</summary>
    public void CatchUp()
    {
        for (; MissedTicks > 0; MissedTicks--)
        {
            Node.Tick();
        }
    }

    /// <summary>True if the process exists and is not paused at <paramref name="tick"/>.</summary>
    public bool Running(long tick) => Alive && tick >= PausedUntil;

    /// <summary>The tick at which a crashed node restarts.</summary>
    public long RestartAt { get; set; }

    /// <summary>The last index applied to <see cref="Kv"/> (the host's own count, checked against the
    /// core's).</summary>
    public long Applied { get; set; }

    /// <summary>Read states received and waiting for the state machine to catch up: request id to read index.</summary>
    public SortedDictionary<ulong, long> ReadyReads { get; } = [];

    public void Crash(long restartAt)
    {
        Alive = false;
        RestartAt = restartAt;
        ReadyReads.Clear();
    }

    /// <summary>Restarts from the disk only: snapshot into the state machine, then the core from persisted
    /// state.</summary>
    public void Restart(RaftOptions options)
    {
        Kv.Restore(Storage.Snapshot is { } snapshot ? snapshot.Data.Span : []);
        Applied = Storage.SnapshotIndex;
        Node = new RaftNode(options, Storage.Load());
        Alive = true;
        PausedUntil = 0;
        MissedTicks = 0;
        ClockTicks = 0;
    }
}
