using MessagePack;

namespace Rpc25519.JSync.Sync;

/// <summary>What a sync did: the change list, byte counters and per-file errors. Both sides get the same result.</summary>
[MessagePackObject]
public sealed class SyncResult
{
    /// <summary>Every change, in the order the giver's tree was scanned (deletes last).</summary>
    [Key(0)] public List<SyncChange> Changes { get; init; } = [];

    /// <summary>Files that could not be synced, each with the reason; the rest of the tree was synced.</summary>
    [Key(1)] public List<string> Errors { get; init; } = [];

    /// <summary>True when nothing was written (dry run).</summary>
    [Key(2)] public bool DryRun { get; set; }

    /// <summary>Entries in the giver's tree.</summary>
    [Key(3)] public long EntriesScanned { get; set; }

    /// <summary>Total size of the giver's regular files.</summary>
    [Key(4)] public long TreeBytes { get; set; }

    /// <summary>Files whose contents were rebuilt.</summary>
    [Key(5)] public long FilesTransferred { get; set; }

    /// <summary>Bytes that travelled as literal chunk data.</summary>
    [Key(6)] public long LiteralBytes { get; set; }

    /// <summary>Bytes copied from chunks the taker already had (renamed, moved, unchanged parts).</summary>
    [Key(7)] public long CopiedBytes { get; set; }

    /// <summary>Bytes of zero runs, written as holes.</summary>
    [Key(8)] public long ZeroBytes { get; set; }

    /// <summary>Chunk records the taker sent in its summaries.</summary>
    [Key(9)] public long SummaryChunks { get; set; }

    /// <summary>A copy with the same counters and errors and an empty change list (the changes travel in batches).</summary>
    internal SyncResult WithoutChanges() => new()
    {
        Errors = Errors,
        DryRun = DryRun,
        EntriesScanned = EntriesScanned,
        TreeBytes = TreeBytes,
        FilesTransferred = FilesTransferred,
        LiteralBytes = LiteralBytes,
        CopiedBytes = CopiedBytes,
        ZeroBytes = ZeroBytes,
        SummaryChunks = SummaryChunks,
    };
}
