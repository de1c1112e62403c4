using System.Diagnostics;

namespace Rpc25519.Fuzz;

/// <summary>What one input did that it must not: an exception other than the target's typed failures, or more
/// allocation than the target's bound.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Input">The input.</param>
/// <param name="Problem">What went wrong.</param>
public sealed record FuzzFinding(string Target, byte[] Input, string Problem)
{
    public override string ToString() =>
        $"{Target}: {Problem}\n  input ({Input.Length} bytes): {Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, 256)))}";
}

/// <summary>Totals of a run.</summary>
public sealed record FuzzReport(string Target, int Inputs, int TypedFailures, long MaxAllocated,
    IReadOnlyList<FuzzFinding> Findings, TimeSpan Elapsed);

/// <summary>
/// Runs a target over its corpus and over seeded mutations of it, in-process and deterministically: the same seed
/// and count give the same inputs. Each input must end normally or with one of the target's typed failures, and
/// allocate no more than the target's bound (measured on this thread).
/// </summary>
public static class FuzzRunner
{
    /// <summary>Checks one input; null when it behaved.</summary>
    public static FuzzFinding? Check(FuzzTarget target, byte[] input, out bool typedFailure, out long allocated)
    {
        typedFailure = false;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            target.Run(input);
        }
        catch (Exception e) when (target.IsExpected(e))
        {
            typedFailure = true;
        }
        catch (Exception e)
        {
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return new FuzzFinding(target.Name, input, $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long bound = target.AllocationBound(input.Length);
        return allocated > bound
            ? new FuzzFinding(target.Name, input, $"allocated {allocated} bytes for {input.Length} input bytes " +
                $"(bound {bound})")
            : null;
    }

    /// <summary>
    /// Runs every corpus entry, then mutations until <paramref name="inputs"/> inputs (mutations included) or
    /// <paramref name="duration"/> has passed, whichever comes first (null: no time limit). Stops collecting after
    /// <paramref name="maxFindings"/> findings.
    /// </summary>
    public static FuzzReport Run(FuzzTarget target, IReadOnlyList<byte[]> corpus, ulong seed, int inputs,
        TimeSpan? duration = null, int maxFindings = 20, Action<FuzzFinding>? onFinding = null)
    {
        var clock = Stopwatch.StartNew();
        var findings = new List<FuzzFinding>();
        int typed = 0;
        int done = 0;
        long maxAllocated = 0;
        // First pass over the corpus unmeasured: JIT, static initialisers and pool warm-up are not the input's doing.
        foreach (byte[] entry in corpus)
        {
            _ = Check(target, entry, out _, out _);
        }
        var mutator = new Mutator(new FuzzRandom(seed), corpus);
        IEnumerable<byte[]> Inputs()
        {
            foreach (byte[] entry in corpus)
            {
                yield return entry;
            }
            while (true)
            {
                yield return mutator.Next();
            }
        }
        foreach (byte[] input in Inputs())
        {
            if (done >= inputs || (duration is { } limit && clock.Elapsed >= limit) || findings.Count >= maxFindings)
            {
                break;
            }
            done++;
            FuzzFinding? finding = Check(target, input, out bool typedFailure, out long allocated);
            maxAllocated = Math.Max(maxAllocated, allocated);
            typed += typedFailure ? 1 : 0;
            if (finding is not null)
            {
                findings.Add(finding);
                onFinding?.Invoke(finding);
            }
        }
        return new FuzzReport(target.Name, done, typed, maxAllocated, findings, clock.Elapsed);
    }
}
