namespace Rpc25519.Tube.Raft;

/// <summary>
/// One immutable entry of the replicated log. Instances are shared freely between the core, the host and messages;
/// nobody may change them (the data buffer included) after construction. Thread-safe because immutable.
/// </summary>
public sealed class LogEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="term">The leader term that created the entry; at least 1.</param>
    /// <param name="index">The position in the log; at least 1.</param>
    /// <param name="kind">Command or no-op.</param>
    /// <param name="data">The command bytes. The entry takes ownership: the caller must not change them later.</param>
    public LogEntry(long term, long index, LogEntryKind kind, ReadOnlyMemory<byte> data)
    {
        if (term < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(term), term, "A log entry's term starts at 1.");
        }

        if (index < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "A log entry's index starts at 1.");
        }

        Term = term;
        Index = index;
        Kind = kind;
        Data = data;
    }

    /// <summary>The leader term that created this entry.</summary>
    public long Term { get; }

    /// <summary>The position of this entry in the log (1-based).</summary>
    public long Index { get; }

    /// <summary>Whether this is an application command or a leader's no-op.</summary>
    public LogEntryKind Kind { get; }

    /// <summary>The command bytes (empty for a no-op). Read-only for everyone.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Index}@{Term}:{Kind}/{Data.Length}B";
}
