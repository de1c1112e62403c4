namespace Rpc25519.Tube.StateMachines;

/// <summary>Limits of the replicated state machines. Every replica must use the same values.</summary>
public sealed class StateMachineOptions
{
    /// <summary>The idle timeout of a session that asks for none. Default 10 minutes.</summary>
    public TimeSpan DefaultSessionTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The shortest idle timeout a session may ask for. Default 1 second.</summary>
    public TimeSpan MinSessionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest idle timeout a session may ask for. Default 1 hour.</summary>
    public TimeSpan MaxSessionTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How many replies one session may keep cached (for clients with several commands in flight). When
    /// more arrive, the oldest is dropped and its serial becomes stale. Default 64.</summary>
    public int MaxCachedRepliesPerSession { get; init; } = 64;

    /// <summary>How many sessions may be open at once. Opening one more is refused with
    /// <see cref="Errors.SessionLimitException"/> until one closes or expires, so that clients opening sessions faster
    /// than they expire cannot grow every replica's memory without bound. Default 100,000.</summary>
    public int MaxSessions { get; init; } = 100_000;

    /// <summary>How many bytes of keys and values the KV store may hold, over all tables (etcd's backend quota).
    /// Once the store holds this much, commands that would add to it (a put or compare-and-swap of a new key or a
    /// longer value, a transaction with a put, a new table) are refused with <see cref="Errors.StateLimitException"/>;
    /// reads and deletes go on, so the space can be freed. A command started below the limit may pass it by its own
    /// size. Default 2 GiB.</summary>
    public long MaxStateBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The largest value a key may hold. Default 1 MiB.</summary>
    public int MaxValueBytes { get; init; } = 1024 * 1024;

    /// <summary>The longest key. Default 4 KiB.</summary>
    public int MaxKeyBytes { get; init; } = 4 * 1024;

    /// <summary>The longest lease a write may take. Default 15 minutes.</summary>
    public TimeSpan MaxLeaseDuration { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long after a lease's end (in log time) another session may take the key: room for a leader whose
    /// clock runs ahead of the holder's, so the holder stops before anyone else starts. The holder's own view is
    /// unchanged. Default 0.</summary>
    public TimeSpan LeaseClockDriftBound { get; init; } = TimeSpan.Zero;

    /// <summary>How many changes the change feed keeps. Default 10,000.</summary>
    public int ChangeFeedMaxEvents { get; init; } = 10_000;

    /// <summary>How many key and value bytes the change feed keeps. Default 64 MiB.</summary>
    public long ChangeFeedMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Mutation check only (the SimNet soak plants it to prove the duplicate checks catch it): when true, a retried
    /// command is applied again instead of answered from the session's cache. Never set it in production.
    /// </summary>
    internal bool UnsafeReapplyRetries { get; init; }

    internal void Validate()
    {
        if (MinSessionTimeout <= TimeSpan.Zero || MinSessionTimeout > DefaultSessionTimeout ||
            DefaultSessionTimeout > MaxSessionTimeout)
        {
            throw new ArgumentException(
                "Session timeouts must satisfy 0 < MinSessionTimeout <= DefaultSessionTimeout <= MaxSessionTimeout.");
        }

        if (MaxStateBytes < 1)
        {
            throw new ArgumentException($"MaxStateBytes must be at least 1; got {MaxStateBytes}.");
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentException($"MaxSessions must be at least 1; got {MaxSessions}.");
        }

        if (MaxCachedRepliesPerSession < 1 || MaxValueBytes < 0 || MaxKeyBytes < 1 || ChangeFeedMaxEvents < 1 ||
            ChangeFeedMaxBytes < 1 || MaxLeaseDuration <= TimeSpan.Zero || LeaseClockDriftBound < TimeSpan.Zero)
        {
            throw new ArgumentException(
                "MaxCachedRepliesPerSession, MaxKeyBytes, ChangeFeedMaxEvents, ChangeFeedMaxBytes and " +
                "MaxLeaseDuration must be positive, and MaxValueBytes and LeaseClockDriftBound at least 0.");
        }
    }
}
