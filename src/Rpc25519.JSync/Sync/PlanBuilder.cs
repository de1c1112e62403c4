using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Turns the giver's chunks, one at a time, into plan steps: a zero chunk extends a zero run, a chunk the taker holds
/// anywhere becomes a copy of that place, anything else a literal. Adjacent steps merge (a copy that continues the
/// previous copy's range, literals after literals), so an unchanged stretch is one step. A literal's place in the file
/// being rebuilt is added to the index, so a repeat of it later in the same sync (inside this file or another) is a
/// copy from where the taker wrote it.
/// </summary>
internal sealed class PlanBuilder
{
    private readonly ChunkIndex _index;
    private readonly int _fileSource;
    private readonly bool _reuse;
    private readonly List<PlanStep> _steps = [];
    private long _pendingZeros;

    /// <summary>Creates a builder that consults (and extends) <paramref name="index"/>.</summary>
    /// <param name="index">Where the taker holds which chunk.</param>
    /// <param name="fileSource">This file's <see cref="PlanStep.Source"/> (for later copies of its literals).</param>
    /// <param name="reuse">False to make every non-zero chunk a literal (a retry after a failed check).</param>
    public PlanBuilder(ChunkIndex index, int fileSource, bool reuse = true)
    {
        _index = index;
        _fileSource = fileSource;
        _reuse = reuse;
    }

    /// <summary>Steps decided so far and not yet taken.</summary>
    public int PendingSteps => _steps.Count + (_pendingZeros > 0 ? 1 : 0);

    /// <summary>Adds the next chunk; returns true when its bytes must travel as a literal.</summary>
    public bool Add(in ChunkInfo chunk)
    {
        if (chunk.IsZero)
        {
            _pendingZeros += chunk.Length;
            return false;
        }
        FlushZeros();
        if (chunk.Hash == default || !_reuse)
        {
            AddLiteral(chunk.Length); // an unhashed block: nothing to match or index
            return true;
        }
        if (_index.TryGet(chunk.Hash, out ChunkLocation at) && at.Length == chunk.Length)
        {
            if (_steps.Count > 0 && _steps[^1] is { Kind: StepKind.Copy } last && last.Source == at.Source &&
                last.Offset + last.Length == at.Offset)
            {
                _steps[^1] = PlanStep.Copy(at.Source, last.Offset, last.Length + at.Length);
            }
            else
            {
                _steps.Add(PlanStep.Copy(at.Source, at.Offset, at.Length));
            }
            return false;
        }
        _index.Add(chunk.Hash, new ChunkLocation(_fileSource, chunk.Offset, chunk.Length));
        AddLiteral(chunk.Length);
        return true;
    }

    private void AddLiteral(int length)
    {
        if (_steps.Count > 0 && _steps[^1] is { Kind: StepKind.Literal } last)
        {
            _steps[^1] = PlanStep.Literal(last.Length + length);
        }
        else
        {
            _steps.Add(PlanStep.Literal(length));
        }
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
