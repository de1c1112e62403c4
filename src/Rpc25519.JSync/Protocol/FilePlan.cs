using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// Giver → taker: the next steps of a file, in file order. Every <see cref="StepKind.Literal"/> step's bytes follow as
/// one <see cref="LiteralChunk"/> for the same file, in step order, before the file's next plan batch. Together the
/// steps of all batches describe the whole file; a <see cref="FileEnd"/> closes it.
/// </summary>
[MessagePackObject]
public sealed class FilePlan : JSyncMessage
{
    /// <summary>The file, as named by its <see cref="FileRequest"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>The steps of this batch.</summary>
    [Key(1)] public PlanStep[] Steps { get; init; } = [];
}
