namespace Rpc25519.SimNet;

/// <summary>What a network message carries.</summary>
internal enum SimMessageKind
{
    Data = 0,

    /// <summary>The sender completed its output: the reader sees end of stream after the data before it.</summary>
    Fin = 1,

    /// <summary>The sender aborted, or the receiver's side no longer exists: the reader sees a reset.</summary>
    Reset = 2,
}

/// <summary>One message in flight, or lost and kept for inspection. Owns its bytes.</summary>
internal sealed class SimMessage
{
    public SimMessage(long id, SimConnection origin, SimMessageKind kind, byte[]? data, long sentTicks)
    {
        Id = id;
        Origin = origin;
        Kind = kind;
        Data = data;
        SentTicks = sentTicks;
    }

    /// <summary>Network-wide sequence number: the tie-breaker for equal arrival times.</summary>
    public long Id { get; }

    /// <summary>The connection end that sent it.</summary>
    public SimConnection Origin { get; }

    public SimMessageKind Kind { get; }

    public byte[]? Data { get; }

    public int Length => Data?.Length ?? 0;

    public long SentTicks { get; }

    public long ArrivalTicks { get; set; }

    /// <summary>Why it was lost (drop, deaf, isolated, powered off, stalled, overflow), or null.</summary>
    public string? LostReason { get; set; }

    /// <summary>True for a copy made by a duplicate fault (never duplicated again).</summary>
    public bool IsDuplicate { get; init; }
}
