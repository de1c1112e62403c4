using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>One step of a file plan: copy a chunk the taker has, take literal bytes, or skip a run of zeros.</summary>
[MessagePackObject]
public readonly record struct PlanStep
{
    /// <summary>Creates a step.</summary>
    [SerializationConstructor]
    public PlanStep(StepKind kind, long length, ChunkHash hash)
    {
        Kind = kind;
        Length = length;
        Hash = hash;
    }

    /// <summary>Copy, literal or zero.</summary>
    [Key(0)] public StepKind Kind { get; }

    /// <summary>Bytes this step produces.</summary>
    [Key(1)] public long Length { get; }

    /// <summary>
    /// The chunk's BLAKE3: always for <see cref="StepKind.Copy"/>; for <see cref="StepKind.Literal"/> when the giver
    /// hashed it (then the taker indexes the written bytes for later copies), <c>default</c> for an unhashed block.
    /// </summary>
    [Key(2)] public ChunkHash Hash { get; }

    /// <summary>A step that copies a chunk the taker has.</summary>
    public static PlanStep Copy(ChunkHash hash, int length) => new(StepKind.Copy, length, hash);

    /// <summary>A step whose bytes follow as a literal.</summary>
    public static PlanStep Literal(ChunkHash hash, int length) => new(StepKind.Literal, length, hash);

    /// <summary>A run of zeros.</summary>
    public static PlanStep Zero(long length) => new(StepKind.Zero, length, default);
}
