using Rpc25519.Rpc;

namespace Rpc25519.Tests.Session;

/// <summary>The server's handler deadline timer never fires before the deadline its caller waits for.</summary>
public sealed class TimerRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(10.3, 16)]
    [InlineData(10.0, 15)]
    [InlineData(0.2, 6)]
    public void NotBefore_with_the_system_clock_rounds_up_and_adds_the_timers_earliness(double leftMs, double expectedMs)
    {
        TimeSpan? delay = TimerRange.NotBefore(Now + TimeSpan.FromMilliseconds(leftMs), Now, TimeProvider.System);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), delay);
    }

    [Fact]
    public void NotBefore_with_virtual_time_is_exact()
    {
        var virtualTime = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);

        Assert.Equal(TimeSpan.FromMilliseconds(10.3),
            TimerRange.NotBefore(Now + TimeSpan.FromMilliseconds(10.3), Now, virtualTime));
    }

    [Fact]
    public void NotBefore_of_a_passed_deadline_is_zero_and_of_a_far_one_is_no_timer()
    {
        Assert.Equal(TimeSpan.Zero, TimerRange.NotBefore(Now - TimeSpan.FromSeconds(1), Now, TimeProvider.System));
        Assert.Null(TimerRange.NotBefore(Now + TimeSpan.FromDays(60), Now, TimeProvider.System));
    }
}
