namespace Rpc25519.Rpc;

/// <summary>
/// How far ahead a timer can be set. <see cref="TimeProvider.CreateTimer"/> and
/// <see cref="CancellationTokenSource(TimeSpan, TimeProvider)"/> refuse delays above about 49.7 days; a deadline
/// further ahead than that means "no deadline" in effect, so it gets no timer rather than an exception.
/// </summary>
internal static class TimerRange
{
    /// <summary>The longest delay every timer accepts (2^32 − 2 milliseconds).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary>The delay from <paramref name="now"/> until <paramref name="deadline"/>, at least zero; null when
    /// it is beyond <see cref="MaxDelay"/> (set no timer).</summary>
    public static TimeSpan? Until(DateTimeOffset deadline, DateTimeOffset now)
    {
        TimeSpan left = deadline - now;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left <= MaxDelay ? left : null;
    }
}
