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
    }
}
