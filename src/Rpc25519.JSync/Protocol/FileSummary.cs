using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Taker → giver: the chunks of one file the taker holds (the old version of a file to update, a file that is gone on
/// the giver and may have been renamed, or a partial file from an interrupted run). The giver adds every chunk to its
/// tree-wide index, so any file it sends can reuse them. Large files come in several batches; the last has
/// <see cref="IsLast"/>. All-zero chunks are left out (they travel as lengths anyway). On the wire each chunk's hash is
/// cut to its first 8 bytes (see <c>FileSummaryFormatter</c>): a decoded record's <see cref="ChunkRecord.Hash"/> holds
/// those bytes and zeros.
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(FileSummaryFormatter))]
public sealed class FileSummary : JSyncMessage
{
    /// <summary>The summarized file's path relative to the taker's root.</summary>
    [Key(0)] public string Path { get; init; } = "";

    /// <summary>The file's size in bytes.</summary>
    [Key(1)] public long Size { get; init; }

    /// <summary>The chunks of this batch, in file order.</summary>
    [Key(2)] public ChunkRecord[] Chunks { get; init; } = [];

    /// <summary>True on the file's final batch.</summary>
    [Key(3)] public bool IsLast { get; init; }

    /// <summary>Whole-file BLAKE3 of the summarized file, optional (the engine leaves it out: the giver does not need
    /// it).</summary>
    [Key(4)] public ChunkHash FileHash { get; init; }
}
