using System.Buffers;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage.Disks;
using Rpc25519.Tube.Storage.Wal;

namespace Rpc25519.Tube.Storage;

/// <summary>
/// The write-ahead-log storage shared by <see cref="FileRaftStorage"/> (real files) and
/// <see cref="SimRaftStorage"/> (a <see cref="SimDisk"/>): segmented log records with CRC32C and a chained BLAKE3
/// hash, group commit, snapshots in their own file with a checkpoint record that lets older segments go. The
/// format and recovery rules are in docs/tube-storage.md. Thread-safety: as <see cref="IRaftStorage"/> says; a
/// lock guards the in-memory state, and no I/O runs under it.
/// </summary>
public abstract class WalRaftStorage : IRaftStorage
{
    private readonly object gate = new();
    private readonly WalParts parts;
    private int disposed;

    private protected WalRaftStorage(WalParts parts)
    {
        this.parts = parts;
    }

    /// <summary>The data directory.</summary>
    public string Directory => parts.Directory;

    /// <summary>How many fsyncs of log segments this instance made (directory and snapshot fsyncs not
    /// counted).</summary>
    public long SyncCount => parts.Writer.SyncCount;

    /// <summary>How many group-commit batches were written (each ends with one fsync).</summary>
    public long BatchCount => parts.Writer.BatchCount;

    /// <inheritdoc />
    public RaftPersistentState Recovered => parts.Recovered;

    /// <inheritdoc />
    public long LastIndex
    {
        get
        {
            lock (gate)
            {
                return parts.Mirror.LastIndex;
            }
        }
    }

    /// <inheritdoc />
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var payload = new ArrayBufferWriter<byte>();
        PayloadWriter.Entries(payload, entries);
        lock (gate)
        {
            parts.Writer.ThrowIfUnusable();
            parts.Mirror.Append(entries);
            parts.Writer.Enqueue(RecordKind.Entries, payload.WrittenSpan);
        }
    }

    /// <inheritdoc />
    public void SaveState(HardState? hardState, Membership? membership)
    {
        var payload = new ArrayBufferWriter<byte>();
        lock (gate)
        {
            parts.Writer.ThrowIfUnusable();
            parts.Mirror.SetState(hardState, membership);
            PayloadWriter.State(payload, parts.Mirror.HardState, parts.Mirror.Membership);
            parts.Writer.Enqueue(RecordKind.State, payload.WrittenSpan);
        }
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        parts.Writer.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public async Task SaveSnapshotAsync(RaftSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (gate)
        {
            if (snapshot.Index <= parts.Mirror.SnapshotIndex)
            {
                return;
            }
        }

        byte[] hash = await SnapshotFile.WriteAsync(parts.FileSystem, parts.Directory, snapshot, cancellationToken);
        StorageLog.SnapshotSaved(parts.Logger, snapshot.Index, snapshot.Term, snapshot.Data.Length);
        long sequence;
        lock (gate)
        {
            parts.Mirror.ApplySnapshotPoint(snapshot.Index, snapshot.Term);
            parts.Mirror.Snapshot = snapshot;
            parts.Mirror.SnapshotHash = hash;
            sequence = Checkpointer.EnqueueLocked(parts.Writer, parts.Mirror);
        }

        await Checkpointer.CompleteAsync(parts.Writer, parts.FileSystem, parts.Directory, sequence, parts.Logger,
            cancellationToken);
    }

    /// <summary>Flushes what is queued, closes the segment and releases the lock file. Later calls throw
    /// <see cref="ObjectDisposedException"/>; disposing again does nothing.</summary>
    /// <returns>A task that completes when the storage is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await parts.Writer.DisposeAsync();
        parts.Lock.Dispose();
        GC.SuppressFinalize(this);
    }
}
