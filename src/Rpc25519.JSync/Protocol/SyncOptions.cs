using MessagePack;
using Rpc25519.JSync.Chunking;

namespace Rpc25519.JSync.Protocol;

/// <summary>What a sync should do. The initiator sends it inside <see cref="SyncRequest"/>, so both sides agree.</summary>
[MessagePackObject]
public sealed class SyncOptions
{
    /// <summary>Delete entries on the taker that the giver does not have (off by default, like rsync).</summary>
    [Key(0)] public bool Delete { get; init; }

    /// <summary>Report what would change and write nothing at all.</summary>
    [Key(1)] public bool DryRun { get; init; }

    /// <summary>Compare contents by whole-file BLAKE3 instead of trusting equal size and mtime.</summary>
    [Key(2)] public bool Checksum { get; init; }

    /// <summary>Glob patterns of paths to leave alone on both sides (see <c>Sync.ExcludeFilter</c>).</summary>
    [Key(3)] public string[] Excludes { get; init; } = [];

    /// <summary>Minimum chunk size in bytes.</summary>
    [Key(4)] public int ChunkMin { get; init; } = ChunkerOptions.Default.MinSize;

    /// <summary>Average chunk size in bytes.</summary>
    [Key(5)] public int ChunkAverage { get; init; } = ChunkerOptions.Default.AverageSize;

    /// <summary>Maximum chunk size in bytes.</summary>
    [Key(6)] public int ChunkMax { get; init; } = ChunkerOptions.Default.MaxSize;

    /// <summary>
    /// Pick chunk sizes per file from its size (<see cref="ChunkerOptions.ForFileSize"/>; the default) instead of the
    /// fixed <see cref="ChunkMin"/>/<see cref="ChunkAverage"/>/<see cref="ChunkMax"/>, which then only size the plain
    /// blocks of a copy into an empty place.
    /// </summary>
    [Key(7)] public bool AdaptiveChunks { get; init; } = true;

    /// <summary>
    /// Sync a directory tree. When false the giver syncs only a single file and refuses a directory root with an error
    /// that says to pass -r (jcp's -r, on a pull as on a push). Default true.
    /// </summary>
    [Key(8)] public bool Recursive { get; init; } = true;

    /// <summary>
    /// Make the taker's rebuilt files durable before they replace their targets (one syncfs per file system on Linux,
    /// an fsync per file elsewhere) and fsync the directories after the renames. Default true. When false the taker
    /// never waits for the disk, like rsync without <c>--fsync</c>: files are still verified and renamed into place
    /// whole, so a failed or interrupted sync still never leaves a half-written target, but after a power loss or an
    /// OS crash the newest files may be missing or empty (jcp's <c>--no-fsync</c>).
    /// </summary>
    [Key(9)] public bool Durable { get; init; } = true;

    /// <summary>The chunker configuration these options name.</summary>
    public ChunkerOptions ToChunkerOptions() => new(ChunkMin, ChunkAverage, ChunkMax);

    /// <summary>The chunk sizes for a file the giver lists with <paramref name="fileSize"/> bytes.</summary>
    public ChunkerOptions ChunkerFor(long fileSize) =>
        AdaptiveChunks ? ChunkerOptions.ForFileSize(fileSize) : ToChunkerOptions();
}
