namespace Rpc25519.Transport;

/// <summary>
/// What an accept loop does after an accept fails (out of memory, out of descriptors, a listener error): wait a little,
/// longer after each failure in a row, then accept again. Only disposal ends an accept loop; a failure never does.
/// </summary>
/// <remarks>Not thread-safe: one per accept loop.</remarks>
internal sealed class AcceptBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _timeProvider;
    private TimeSpan _next = First;

    public AcceptBackoff(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Failures since the last successful accept.</summary>
    public int FailuresInARow { get; private set; }

    /// <summary>An accept succeeded: the next failure waits the shortest time again.</summary>
    public void Reset()
    {
        FailuresInARow = 0;
        _next = First;
    }

    /// <summary>Waits before the next accept; false when <paramref name="stopping"/> fired (end the loop).</summary>
    public async Task<bool> WaitAsync(CancellationToken stopping)
    {
        FailuresInARow++;
        TimeSpan delay = _next;
        _next = _next * 2 < Longest ? _next * 2 : Longest;
        try
        {
            await Task.Delay(delay, _timeProvider, stopping);
            return true;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
    }
}
