using Microsoft.Extensions.Logging;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>
/// Opens a log directory: takes the lock file, removes leftover temp files, verifies the snapshot file, replays
/// the segments from the newest one that starts with a checkpoint, in sequence order, through
/// <see cref="SegmentScanner"/> into a <see cref="LogMirror"/>, truncates a torn tail of the last segment,
/// reconciles the snapshot file with the last checkpoint, deletes segments an interrupted checkpoint left behind,
/// and hands the rest to a <see cref="WalWriter"/>.
/// </summary>
internal static class WalRecovery
{
    public const string LockFileName = "LOCK";

    public static async Task<WalParts> OpenAsync(IStorageFileSystem fileSystem, RaftStorageOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string directory = options.Directory;
        var logger = options.CreateLogger();
        fileSystem.CreateDirectory(directory);
        var held = fileSystem.Lock(Path.Combine(directory, LockFileName));
        WalWriter? writer = null;
        try
        {
            var temporary = fileSystem.ListFiles(directory).Where(n => n.EndsWith(".tmp", StringComparison.Ordinal));
            foreach (string name in temporary)
            {
                fileSystem.Delete(Path.Combine(directory, name));
            }

            await fileSystem.SyncDirectoryAsync(directory, cancellationToken);
            var snapshot = SnapshotFile.Read(fileSystem, directory);
            var replay = await ReplayAsync(fileSystem, directory, options.RecordBytesMax, logger, cancellationToken);
            bool snapshotNewer = Reconcile(replay.Mirror, snapshot, directory);
            writer = OpenWriter(fileSystem, directory, options, logger, replay);
            var mirror = replay.Mirror;
            if (snapshotNewer)
            {
                // The snapshot file outlived the checkpoint that should follow it: record the rule's result now,
                // or later appends would replay on top of the stale log.
                StorageLog.SnapshotRuleApplied(logger, mirror.SnapshotIndex);
                long sequence = Checkpointer.EnqueueLocked(writer, mirror);
                await Checkpointer.CompleteAsync(writer, fileSystem, directory, sequence, logger, cancellationToken);
            }
            else if (replay.CheckpointSequence > 0)
            {
                await Checkpointer.DeleteSegmentsBeforeAsync(fileSystem, directory, replay.CheckpointSequence,
                    logger, cancellationToken);
            }

            StorageLog.Opened(logger, directory, replay.Segments, mirror.SnapshotIndex, mirror.LastIndex);
            return new WalParts(fileSystem, directory, mirror, writer, held, logger, mirror.ToPersistentState());
        }
        catch
        {
            writer?.CloseWithoutFlush();
            held.Dispose();
            throw;
        }
    }

    private static async Task<ReplayResult> ReplayAsync(IStorageFileSystem fileSystem, string directory,
        long recordBytesMax, ILogger logger, CancellationToken cancellationToken)
    {
        var all = ListSegments(fileSystem, directory);
        var (start, checkpointSequence) = FindLastCheckpoint(fileSystem, directory, all, recordBytesMax);
        var sequences = all.GetRange(start, all.Count - start);
        CheckContiguous(directory, sequences);
        var mirror = new LogMirror();
        byte[]? chain = null;
        for (int i = 0; i < sequences.Count; i++)
        {
            long sequence = sequences[i];
            string path = Path.Combine(directory, WalSegment.FileName(sequence));
            bool isLast = i == sequences.Count - 1;
            if (isLast)
            {
                // A crashed process may have left written but unsynced bytes in the page cache. Sync them before
                // reading, so nothing this node reports about its log can be lost by a power failure afterwards.
                using var unsynced = fileSystem.OpenForAppend(path, createNew: false);
                await unsynced.SyncAsync(cancellationToken);
            }

            var bytes = fileSystem.ReadAllBytes(path);
            var result = SegmentScanner.Scan(bytes, path, sequence, chain, isLast, recordBytesMax,
                (kind, payload, _) => Apply(mirror, kind, payload));
            chain = result.Chain;
            if (result.ZeroTail)
            {
                // Reserved zeros, not a torn write: cut them so the writer continues right after the last record.
                using var reserved = fileSystem.OpenForAppend(path, createNew: false);
                reserved.Truncate(result.ValidBytes);
                await reserved.SyncAsync(cancellationToken);
            }
            else if (result.TornTail)
            {
                await DropTornTailAsync(fileSystem, path, result.ValidBytes, bytes.Length, logger, cancellationToken);
                if (result.ValidBytes == 0)
                {
                    await fileSystem.SyncDirectoryAsync(directory, cancellationToken);
                    sequences.RemoveAt(i);
                }
            }
        }

        return new ReplayResult(mirror, sequences, chain, checkpointSequence);
    }

    /// <summary>
    /// Finds the newest segment that starts with a verified checkpoint: replay starts there, and the segments
    /// before it are garbage that a crash kept from being deleted (possibly only some of them). Returns the
    /// position in <paramref name="sequences"/> and the segment's sequence number, or (0, 0) if no segment starts
    /// with a checkpoint (the log was never compacted).
    /// </summary>
    internal static (int Start, long Sequence) FindLastCheckpoint(IStorageFileSystem fileSystem, string directory,
        List<long> sequences, long recordBytesMax)
    {
        for (int i = sequences.Count - 1; i >= 0; i--)
        {
            string path = Path.Combine(directory, WalSegment.FileName(sequences[i]));
            if (SegmentScanner.StartsWithCheckpoint((offset, count) => fileSystem.ReadRange(path, offset, count),
                    recordBytesMax))
            {
                return (i, sequences[i]);
            }
        }

        return (0, 0);
    }

    /// <summary>Applies one verified record.</summary>
    private static void Apply(LogMirror mirror, RecordKind kind, ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload);
        switch (kind)
        {
            case RecordKind.Entries:
                mirror.Append(reader.Entries());
                break;
            case RecordKind.State:
                var (hard, membership) = reader.State();
                mirror.SetState(hard, membership);
                break;
            case RecordKind.Checkpoint:
                var (index, term, hash) = reader.SnapshotPoint();
                var (checkpointHard, checkpointMembership) = reader.State();
                mirror.Reset(index, term, hash, checkpointHard, checkpointMembership, reader.Entries());
                break;
            default:
                throw new FormatException($"a {kind} record inside a segment");
        }

        if (!reader.AtEnd)
        {
            throw new FormatException($"the {kind} payload has bytes after its end");
        }
    }

    internal static List<long> ListSegments(IStorageFileSystem fileSystem, string directory)
    {
        var sequences = new List<long>();
        foreach (string name in fileSystem.ListFiles(directory))
        {
            if (WalSegment.TryParse(name, out long sequence))
            {
                sequences.Add(sequence);
            }
        }

        sequences.Sort();
        return sequences;
    }

    internal static void CheckContiguous(string directory, List<long> sequences)
    {
        for (int i = 1; i < sequences.Count; i++)
        {
            if (sequences[i] != sequences[i - 1] + 1)
            {
                throw new StorageCorruptedException(Path.Combine(directory, WalSegment.FileName(sequences[i])), 0,
                    $"segment {sequences[i - 1] + 1} is missing before it");
            }
        }
    }

    private static async Task DropTornTailAsync(IStorageFileSystem fileSystem, string path, long validBytes,
        long fileBytes, ILogger logger, CancellationToken cancellationToken)
    {
        StorageLog.TornTailTruncated(logger, path, validBytes, fileBytes - validBytes);
        if (validBytes == 0)
        {
            fileSystem.Delete(path);
            return;
        }

        using var file = fileSystem.OpenForAppend(path, createNew: false);
        file.Truncate(validBytes);
        await file.SyncAsync(cancellationToken);
    }

    /// <summary>Checks the snapshot file against the log (<see cref="SnapshotBinding"/>) and keeps it; true if the
    /// file is newer than the last checkpoint and its rule was applied to the mirror.</summary>
    private static bool Reconcile(LogMirror mirror, StoredSnapshot? stored, string directory)
    {
        bool newer = SnapshotBinding.Check(directory, stored, mirror.SnapshotIndex, mirror.SnapshotTerm,
            mirror.SnapshotHash);
        if (stored is not null)
        {
            mirror.ApplySnapshotPoint(stored.Snapshot.Index, stored.Snapshot.Term);
            mirror.Snapshot = stored.Snapshot;
            mirror.SnapshotHash = stored.Hash;
        }

        return newer;
    }

    private static WalWriter OpenWriter(IStorageFileSystem fileSystem, string directory, RaftStorageOptions options,
        ILogger logger, ReplayResult replay)
    {
        var chain = replay.Chain ?? new byte[WalRecord.ChainBytes];
        IStorageFile? file = null;
        long sequence = 1;
        if (replay.Sequences.Count > 0)
        {
            sequence = replay.Sequences[^1];
            file = fileSystem.OpenForAppend(Path.Combine(directory, WalSegment.FileName(sequence)), createNew: false);
        }

        return new WalWriter(fileSystem, directory, options.SegmentBytesMax, logger, file, sequence, chain)
        {
            Time = options.TimeProvider,
            PreallocateBytes = options.PreallocateBytes,
        };
    }

    private sealed record ReplayResult(LogMirror Mirror, List<long> Sequences, byte[]? Chain,
        long CheckpointSequence)
    {
        public int Segments => Sequences.Count;
    }
}
