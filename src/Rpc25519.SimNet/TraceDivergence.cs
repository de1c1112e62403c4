namespace Rpc25519.SimNet;

/// <summary>Where two traces part: the index of the first differing event and the event on each side (null when
/// that side ended first).</summary>
/// <param name="Index">Position of the first difference.</param>
/// <param name="Left">The left trace's event there, or null.</param>
/// <param name="Right">The right trace's event there, or null.</param>
public sealed record TraceDivergence(int Index, TraceEvent? Left, TraceEvent? Right)
{
    /// <summary>One line per side, for test output.</summary>
    public override string ToString() =>
        $"traces differ at event {Index}:{Environment.NewLine}  left:  {Left?.ToString() ?? "(ended)"}" +
        $"{Environment.NewLine}  right: {Right?.ToString() ?? "(ended)"}";
}
