using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>A whole file's plan with the literal chunks it needs, as <see cref="FilePlanner"/> computes it.</summary>
/// <param name="Steps">Every step, in file order; together they cover the file exactly.</param>
/// <param name="Literals">The chunks whose bytes must travel, in file order.</param>
/// <param name="Size">The file's size.</param>
/// <param name="FileHash">The file's whole-file BLAKE3.</param>
public sealed record ComputedPlan(IReadOnlyList<PlanStep> Steps, IReadOnlyList<ChunkInfo> Literals, long Size, ChunkHash FileHash)
{
    /// <summary>Bytes that must travel as literals.</summary>
    public long LiteralBytes => Literals.Sum(c => (long)c.Length);
}
