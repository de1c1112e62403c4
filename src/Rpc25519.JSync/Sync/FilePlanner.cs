using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Computes a file's whole plan against a taker's index in one streaming pass (chunk, hash, decide). The protocol
/// uses the same <see cref="PlanBuilder"/> batch by batch; this form is for callers that want the plan as a value
/// (tests, estimates). Only the step list is kept, never the file's bytes.
/// </summary>
public static class FilePlanner
{
    /// <summary>Plans <paramref name="senderFile"/> against <paramref name="receiverIndex"/> (which gains the literals'
    /// places, as the file with id 0).</summary>
    public static ComputedPlan ComputePlan(Stream senderFile, ChunkIndex receiverIndex, ChunkerOptions? options = null)
    {
        var builder = new PlanBuilder(receiverIndex, PlanStep.FileSource(0));
        var literals = new List<ChunkInfo>();
        using var chunker = new StreamChunker(senderFile, options);
        while (chunker.MoveNext())
        {
            if (builder.Add(chunker.Current))
            {
                literals.Add(chunker.Current);
            }
        }
        List<PlanStep> steps = [.. builder.Take(final: true)];
        return new ComputedPlan(steps, literals, chunker.Length, chunker.FileHash);
    }
}
