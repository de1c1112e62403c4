using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Turns the giver's chunks, one at a time, into plan steps: a zero chunk extends a zero run, a chunk the taker holds
/// anywhere becomes a copy, anything else a literal. A literal's hash is added to the index, so a repeat of it later in
/// the same sync (inside this file or another) is copied from where the taker wrote it. Holds at most one open zero run.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly ChunkIndex _index;
    private readonly List<PlanStep> _steps = [];
    private long _pendingZeros;

    /// <summary>Creates a builder that consults (and extends) <paramref name="index"/>.</summary>
    public PlanBuilder(ChunkIndex index) => _index = index;

    /// <summary>Steps decided so far and not yet taken.</summary>
    public int PendingSteps => _steps.Count + (_pendingZeros > 0 ? 1 : 0);

    /// <summary>Adds the next chunk; returns true when it must travel as a literal.</summary>
    public bool Add(in ChunkInfo chunk)
    {
        if (chunk.IsZero)
        {
            _pendingZeros += chunk.Length;
            return false;
        }
        FlushZeros();
        if (chunk.Hash == default)
        {
            _steps.Add(PlanStep.Literal(default, chunk.Length)); // an unhashed block: nothing to match or index
            return true;
        }
        if (_index.Contains(chunk.Hash))
        {
            _steps.Add(PlanStep.Copy(chunk.Hash, chunk.Length));
            return false;
        }
        _index.Add(chunk.Hash, new ChunkLocation("", chunk.Offset, chunk.Length));
        _steps.Add(PlanStep.Literal(chunk.Hash, chunk.Length));
        return true;
    }

    /// <summary>Takes the steps decided so far, closing any open zero run when <paramref name="final"/>.</summary>
    public PlanStep[] Take(bool final)
    {
        if (final)
        {
            FlushZeros();
        }
        PlanStep[] steps = [.. _steps];
        _steps.Clear();
        return steps;
    }

    private void FlushZeros()
    {
        if (_pendingZeros > 0)
        {
            _steps.Add(PlanStep.Zero(_pendingZeros));
            _pendingZeros = 0;
        }
    }
}
