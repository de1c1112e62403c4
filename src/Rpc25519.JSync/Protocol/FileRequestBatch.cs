using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Taker → giver: files to send. The taker sends every request without waiting for answers, so many files are in
/// flight at once and small files do not pay a round trip each. The last batch has <see cref="IsLast"/>.
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(FileRequestBatchFormatter))]
public sealed class FileRequestBatch : JSyncMessage
{
    /// <summary>The requests of this batch.</summary>
    [Key(0)] public FileRequest[] Requests { get; init; } = [];

    /// <summary>True on the final batch.</summary>
    [Key(1)] public bool IsLast { get; init; }
}
