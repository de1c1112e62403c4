using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Giver → taker: the next steps of a file, in file order, with the bytes of its literal steps. Together the steps of
/// all batches describe the whole file; the last batch carries <see cref="End"/> (a small file is one message).
/// </summary>
[MessagePackObject]
[MessagePackFormatter(typeof(FilePlanFormatter))]
public sealed class FilePlan : JSyncMessage
{
    /// <summary>The file, as named by its <see cref="FileRequest"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>The steps of this batch.</summary>
    [Key(1)] public PlanStep[] Steps { get; init; } = [];

    /// <summary>The bytes of this batch's literal steps, one after another in step order.</summary>
    [Key(2)] public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>On the file's last batch: its size, digest and metadata (the same as a separate <see cref="FileEnd"/>).</summary>
    [Key(3)] public FileEnd? End { get; init; }
}
