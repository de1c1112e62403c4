using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>Where the taker holds a chunk: a source (see <see cref="PlanStep.Source"/>), an offset and a length.</summary>
/// <param name="Source">The n-th summarized file (≥ 0), or a file rebuilt in this sync (<see cref="PlanStep.FileSource"/>).</param>
/// <param name="Offset">Byte offset in that source.</param>
/// <param name="Length">Length in bytes.</param>
public readonly record struct ChunkLocation(int Source, long Offset, int Length);
