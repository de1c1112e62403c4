using Rpc25519.Tube.StateMachines.Changes;

namespace Rpc25519.Tube.StateMachines;

/// <summary>
/// What a state machine may know while it applies one command: the entry's log index, the replicated log time and
/// the sending session. Everything here is the same on every replica; a machine must use nothing else (no clock,
/// no randomness, no hash-ordered iteration that reaches its state or replies).
/// </summary>
public sealed class ApplyContext
{
    private readonly ChangeFeed feed;
    private readonly Func<long, bool>? sessionOpen;

    internal ApplyContext(ChangeFeed feed, string machine, long index, long logTimeMs, long sessionId,
        Func<long, bool>? sessionOpen = null)
    {
        this.feed = feed;
        this.sessionOpen = sessionOpen;
        Machine = machine;
        Index = index;
        LogTimeMs = logTimeMs;
        SessionId = sessionId;
    }

    /// <summary>The registered name of the machine being applied to.</summary>
    public string Machine { get; }

    /// <summary>The log index of the entry being applied; strictly increasing, so usable as a unique id or a
    /// fencing token.</summary>
    public long Index { get; }

    /// <summary>The log time in Unix milliseconds: the largest leader time stamp seen so far, so it never goes
    /// backwards.</summary>
    public long LogTimeMs { get; }

    /// <summary>The log time as a date.</summary>
    public DateTimeOffset LogTime => DateTimeOffset.FromUnixTimeMilliseconds(LogTimeMs);

    /// <summary>The session that sent the command, or 0 when it was sent outside of a session.</summary>
    public long SessionId { get; }

    /// <summary>Whether the session <paramref name="id"/> is open at this entry (replicated state, the same on every
    /// replica).</summary>
    internal bool IsSessionOpen(long id) => sessionOpen?.Invoke(id) ?? false;

    /// <summary>Records a change in the change feed, in log order, for watchers.</summary>
    /// <param name="table">The table (or other grouping) that changed.</param>
    /// <param name="key">The key that changed (empty for table-level changes).</param>
    /// <param name="kind">What happened.</param>
    /// <param name="version">The key's version after the change (0 when it no longer exists).</param>
    /// <param name="value">The new value, or null.</param>
    public void RecordChange(string table, byte[] key, ChangeKind kind, long version, byte[]? value) =>
        feed.Append(new ChangeEvent
        {
            Index = Index, Machine = Machine, Table = table, Key = key, Kind = kind, Version = version, Value = value,
        });
}
