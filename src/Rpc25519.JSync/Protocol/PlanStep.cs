using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// One step of a file plan: copy a byte range the taker already holds, take literal bytes, or skip a run of zeros.
/// </summary>
/// <remarks>
/// A copy names its bytes by place, not by hash: <see cref="Source"/> ≥ 0 is the n-th file the taker summarized in this
/// sync (counting files, from 0, in the order their summaries were sent); a negative source is a file being rebuilt in
/// this sync, the one with id <c>−Source−1</c> (see <see cref="FileSource"/>), whose earlier literals may repeat. The
/// giver merges adjacent chunks of one source into one copy, so an unchanged stretch of any length is one step.
/// </remarks>
[MessagePackObject]
public readonly record struct PlanStep
{
    /// <summary>Creates a step.</summary>
    [SerializationConstructor]
    public PlanStep(StepKind kind, long length, int source, long offset)
    {
        Kind = kind;
        Length = length;
        Source = source;
        Offset = offset;
    }

    /// <summary>Copy, literal or zero.</summary>
    [Key(0)] public StepKind Kind { get; }

    /// <summary>Bytes this step produces.</summary>
    [Key(1)] public long Length { get; }

    /// <summary>For a copy: where the bytes are (see the remarks); 0 otherwise.</summary>
    [Key(2)] public int Source { get; }

    /// <summary>For a copy: the byte offset in <see cref="Source"/>; 0 otherwise.</summary>
    [Key(3)] public long Offset { get; }

    /// <summary>A step that copies <paramref name="length"/> bytes at <paramref name="offset"/> of a source the taker holds.</summary>
    public static PlanStep Copy(int source, long offset, long length) => new(StepKind.Copy, length, source, offset);

    /// <summary>A step whose bytes travel in the plan's <see cref="FilePlan.Data"/>.</summary>
    public static PlanStep Literal(long length) => new(StepKind.Literal, length, 0, 0);

    /// <summary>A run of zeros.</summary>
    public static PlanStep Zero(long length) => new(StepKind.Zero, length, 0, 0);

    /// <summary>The <see cref="Source"/> that names the file with id <paramref name="fileId"/> being rebuilt.</summary>
    public static int FileSource(int fileId) => -fileId - 1;
}
