using MessagePack;

namespace Rpc25519.Tube.StateMachines.Changes;

/// <summary>One change applied to the replicated state, as recorded in the change feed. The key and value arrays
/// are shared with the store: treat them as read-only.</summary>
[MessagePackObject]
public sealed class ChangeEvent
{
    /// <summary>The log index of the entry that made the change.</summary>
    [Key(0)]
    public long Index { get; init; }

    /// <summary>The state machine that made the change.</summary>
    [Key(1)]
    public string Machine { get; init; } = "";

    /// <summary>The table that changed (or the machine's own grouping).</summary>
    [Key(2)]
    public string Table { get; init; } = "";

    /// <summary>The key that changed; empty for table-level changes.</summary>
    [Key(3)]
    public byte[] Key { get; init; } = [];

    /// <summary>What happened.</summary>
    [Key(4)]
    public ChangeKind Kind { get; init; }

    /// <summary>The key's version after the change; 0 when the key no longer exists.</summary>
    [Key(5)]
    public long Version { get; init; }

    /// <summary>The new value for <see cref="ChangeKind.Put"/>; null otherwise.</summary>
    [Key(6)]
    public byte[]? Value { get; init; }

    [IgnoreMember]
    internal long Size => Key.Length + (Value?.Length ?? 0) + Table.Length + 64;
}
