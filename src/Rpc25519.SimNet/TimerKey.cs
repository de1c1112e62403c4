namespace Rpc25519.SimNet;

/// <summary>Orders the timer heap: by due time, then by arming order, so equal due times fire in a fixed
/// order.</summary>
internal readonly record struct TimerKey(long DueTicks, long Sequence) : IComparable<TimerKey>
{
    public int CompareTo(TimerKey other)
    {
        int byDue = DueTicks.CompareTo(other.DueTicks);
        return byDue != 0 ? byDue : Sequence.CompareTo(other.Sequence);
    }
}
