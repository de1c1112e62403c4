namespace Rpc25519.SimNet;

/// <summary>Settings of a <see cref="SimNetwork"/>. Validated once by its constructor.</summary>
/// <remarks>Not thread-safe while being edited.</remarks>
public sealed class SimNetworkOptions
{
    /// <summary>Shortest one-way latency of a message. Default 1 ms; not negative.</summary>
    public TimeSpan LatencyMin { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Longest one-way latency (drawn uniformly in [min, max] from the network stream of the seed).
    /// Default 5 ms; at least <see cref="LatencyMin"/>.</summary>
    public TimeSpan LatencyMax { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>What a lost message does to its connection. Default <see cref="LossModel.MessageLoss"/>.</summary>
    public LossModel LossModel { get; set; } = LossModel.MessageLoss;

    /// <summary>How flushed bytes are cut into messages. Default <see cref="SimFraming.Rpc25519Frames"/>.</summary>
    public SimFraming Framing { get; set; } = SimFraming.Rpc25519Frames;

    /// <summary>Under <see cref="LossModel.StreamStall"/>: how long a stalled direction waits for a repair before both
    /// ends are reset. Default 5 s; positive.</summary>
    public TimeSpan StallResetAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages one direction of a connection may hold in flight; past it, new messages are lost (counted
    /// as overflow). Default 65,536; positive.</summary>
    public int LinkMessagesMax { get; set; } = 65_536;

    /// <summary>Lost messages kept per host for inspection and late delivery; past it the oldest are forgotten
    /// (counted). Default 10,000; positive.</summary>
    public int LostMessagesMax { get; set; } = 10_000;

    /// <summary>Connections a listener may hold before they are accepted; past it, dials are refused.
    /// Default 128; positive.</summary>
    public int AcceptBacklogMax { get; set; } = 128;

    /// <summary>Fold a hash of every delivered payload into the trace hash (stronger replay check, some cost).
    /// Default true.</summary>
    public bool HashPayloads { get; set; } = true;

    internal void Validate()
    {
        if (LatencyMin < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyMin), LatencyMin, "LatencyMin must not be negative.");
        }
        if (LatencyMax < LatencyMin)
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyMax), LatencyMax,
                "LatencyMax must be at least LatencyMin.");
        }
        if (StallResetAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StallResetAfter), StallResetAfter,
                "StallResetAfter must be positive.");
        }
        if (LinkMessagesMax <= 0 || LostMessagesMax <= 0 || AcceptBacklogMax <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LinkMessagesMax),
                "LinkMessagesMax, LostMessagesMax and AcceptBacklogMax must be positive.");
        }
    }
}
