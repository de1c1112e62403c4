namespace Rpc25519.SimNet;

/// <summary>Compares two kept traces (see <see cref="SimulationOptions.KeptEventsMax"/>) or their text forms.</summary>
public static class TraceComparison
{
    /// <summary>Returns the first event where the traces differ, or null when they are equal.</summary>
    /// <param name="left">One trace.</param>
    /// <param name="right">The other.</param>
    public static TraceDivergence? FirstDifference(IReadOnlyList<TraceEvent> left, IReadOnlyList<TraceEvent> right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        int shared = Math.Min(left.Count, right.Count);
        for (int i = 0; i < shared; i++)
        {
            if (left[i] != right[i])
            {
                return new TraceDivergence(i, left[i], right[i]);
            }
        }
        if (left.Count == right.Count)
        {
            return null;
        }
        return new TraceDivergence(shared, left.Count > shared ? left[shared] : null,
            right.Count > shared ? right[shared] : null);
    }

    /// <summary>Returns the first differing line of two trace texts (one event per line), or null when equal; for
    /// traces written by another process.</summary>
    /// <param name="left">One trace, one <see cref="TraceEvent.ToString"/> per line.</param>
    /// <param name="right">The other.</param>
    public static string? FirstDifferentLine(IReadOnlyList<string> left, IReadOnlyList<string> right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        int shared = Math.Min(left.Count, right.Count);
        for (int i = 0; i < shared; i++)
        {
            if (!string.Equals(left[i], right[i], StringComparison.Ordinal))
            {
                return $"line {i}: '{left[i]}' vs '{right[i]}'";
            }
        }
        return left.Count == right.Count ? null
            : $"line {shared}: one trace ended ({left.Count} vs {right.Count} lines)";
    }
}
