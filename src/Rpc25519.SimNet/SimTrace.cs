namespace Rpc25519.SimNet;

/// <summary>
/// The event trace of one run, folded into a running 64-bit hash, with a window of the most recent events kept for
/// failure reports. Only deterministic values go in: step numbers, virtual time, node ids, byte counts, connection
/// ids; never object identities, thread ids or string hash codes.
/// </summary>
/// <remarks>Not thread-safe: used only on the simulation thread.</remarks>
internal sealed class SimTrace
{
    private readonly TraceEvent[] _recent;
    private readonly List<TraceEvent>? _kept;
    private readonly int _keptMax;
    private int _next;
    private long _count;

    /// <param name="recentCapacity">Events kept in the rolling window for failure reports.</param>
    /// <param name="keptMax">Events kept from the start of the run for diffing two runs; 0 keeps none.</param>
    public SimTrace(int recentCapacity, int keptMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recentCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(keptMax);
        _recent = new TraceEvent[recentCapacity];
        _keptMax = keptMax;
        _kept = keptMax > 0 ? new List<TraceEvent>() : null;
        Hash = 0x243F6A8885A308D3UL;
    }

    /// <summary>The first events of the run (up to the kept maximum), for finding where two runs part.</summary>
    public IReadOnlyList<TraceEvent> Kept => (IReadOnlyList<TraceEvent>?)_kept ?? [];

    /// <summary>The running hash of every event recorded so far.</summary>
    public ulong Hash { get; private set; }

    /// <summary>How many events were recorded.</summary>
    public long Count => _count;

    /// <summary>Folds one event into the hash and the recent window.</summary>
    public void Record(long step, long timeTicks, int nodeId, TraceKind kind, long detail, string? note = null)
    {
        ulong hash = Hash;
        hash = Fold(hash, (ulong)step);
        hash = Fold(hash, (ulong)timeTicks);
        hash = Fold(hash, ((ulong)(uint)nodeId << 32) | (uint)kind);
        hash = Fold(hash, (ulong)detail);
        Hash = hash;
        var traceEvent = new TraceEvent(step, timeTicks, nodeId, kind, detail, note);
        _recent[_next] = traceEvent;
        if (_kept is not null && _kept.Count < _keptMax)
        {
            _kept.Add(traceEvent);
        }
        _next = _next + 1 == _recent.Length ? 0 : _next + 1;
        _count++;
    }

    /// <summary>Folds extra content (for example a hash of delivered bytes) into the running hash.</summary>
    public void FoldValue(ulong value) => Hash = Fold(Hash, value);

    /// <summary>Returns the most recent events, oldest first (at most the window capacity).</summary>
    public IReadOnlyList<TraceEvent> Recent()
    {
        int size = (int)Math.Min(_count, _recent.Length);
        var result = new TraceEvent[size];
        int start = size < _recent.Length ? 0 : _next;
        for (int i = 0; i < size; i++)
        {
            result[i] = _recent[(start + i) % _recent.Length];
        }
        return result;
    }

    /// <summary>Hashes a byte span into 64 bits (deterministic, not cryptographic).</summary>
    public static ulong HashBytes(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        while (bytes.Length >= 8)
        {
            hash = Fold(hash, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }
        ulong tail = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            tail |= (ulong)bytes[i] << (8 * i);
        }
        return Fold(hash, tail);
    }

    private static ulong Fold(ulong hash, ulong value)
    {
        // A multiply-xorshift round (in the spirit of the murmur3 finalizer): every input bit reaches every output bit.
        ulong z = (hash ^ value) * 0xBF58476D1CE4E5B9UL;
        z ^= z >> 31;
        z *= 0x94D049BB133111EBUL;
        return z ^ (z >> 29);
    }
}
