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

    /// <summary>How early the system's timers can fire: they count a coarse monotonic clock (4 ms steps on Linux
    /// here) in whole milliseconds.</summary>
    public static readonly TimeSpan SystemTimerEarliness = TimeSpan.FromMilliseconds(5);

    /// <summary>As <see cref="Until"/>, for a timer that must not fire before <paramref name="deadline"/>: with
    /// <see cref="TimeProvider.System"/> rounded up to a whole millisecond plus <see cref="SystemTimerEarliness"/>;
    /// other providers (virtual time) fire exactly and get the exact delay.</summary>
    public static TimeSpan? NotBefore(DateTimeOffset deadline, DateTimeOffset now, TimeProvider provider)
    {
        TimeSpan? left = Until(deadline, now);
        if (left is not { } delay || delay == TimeSpan.Zero || !ReferenceEquals(provider, TimeProvider.System))
        {
            return left;
        }
        double milliseconds = Math.Ceiling(delay.TotalMilliseconds) + SystemTimerEarliness.TotalMilliseconds;
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, MaxDelay.TotalMilliseconds));
    }
}
