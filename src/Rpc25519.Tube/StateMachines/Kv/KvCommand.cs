using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>
/// One KV command or read, serialized with MessagePack (integer keys) as the payload of a <see cref="TubeCommand"/>
/// or of a query. Build one with <see cref="KvCommands"/>. Keys are byte strings ordered bytewise (unsigned,
/// shorter first on a common prefix); UTF-8 strings therefore sort by code point.
/// </summary>
[MessagePackObject]
public sealed class KvCommand
{
    /// <summary>What to do.</summary>
    [Key(0)]
    public KvOperation Operation { get; init; }

    /// <summary>The table.</summary>
    [Key(1)]
    public string? Table { get; init; }

    /// <summary>The key; for <see cref="KvOperation.Range"/> the first key (inclusive, empty for the beginning);
    /// for <see cref="KvOperation.PrefixScan"/> and <see cref="KvOperation.ListKeys"/> the prefix.</summary>
    [Key(2)]
    public byte[]? Key { get; init; }

    /// <summary>The value to write.</summary>
    [Key(3)]
    public byte[]? Value { get; init; }

    /// <summary>For <see cref="KvOperation.Range"/>: the end key, exclusive (null or empty for the end of the
    /// table).</summary>
    [Key(4)]
    public byte[]? EndKey { get; init; }

    /// <summary>For scans: the most items to return (0 for no limit).</summary>
    [Key(5)]
    public int Limit { get; init; }

    /// <summary>For scans: return the keys in descending order (with a limit: the highest keys).</summary>
    [Key(6)]
    public bool Descending { get; init; }

    /// <summary>For writes: take or renew a lease of this many milliseconds (0 for none).</summary>
    [Key(7)]
    public long LeaseMs { get; init; }

    /// <summary>Condition: the current value must equal this (a missing key never matches).</summary>
    [Key(8)]
    public byte[]? ExpectedValue { get; init; }

    /// <summary>Condition: the key's version must equal this (0 means the key must not exist).</summary>
    [Key(9)]
    public long? ExpectedVersion { get; init; }

    /// <summary>Condition: the key's fencing token must equal this (0 means never leased).</summary>
    [Key(10)]
    public long? ExpectedFencingToken { get; init; }

    /// <summary>For <see cref="KvOperation.RenameTable"/>: the new name.</summary>
    [Key(11)]
    public string? NewName { get; init; }

    /// <summary>For <see cref="KvOperation.Txn"/>: the transaction.</summary>
    [Key(12)]
    public KvTxn? Txn { get; init; }

    /// <summary>For <see cref="KvOperation.SessionKeys"/>: the session.</summary>
    [Key(13)]
    public long Owner { get; init; }

    /// <summary>True when the command has at least one condition.</summary>
    [IgnoreMember]
    public bool HasCondition => ExpectedValue is not null || ExpectedVersion is not null || ExpectedFencingToken is not null;

    /// <summary>True for the operations that only read.</summary>
    [IgnoreMember]
    public bool IsRead => Operation is KvOperation.Get or KvOperation.Range or KvOperation.PrefixScan
        or KvOperation.ListKeys or KvOperation.ListTables or KvOperation.SessionKeys
        || (Operation == KvOperation.Txn && Txn is { IsReadOnly: true });

    /// <summary>Serializes the command.</summary>
    /// <returns>The MessagePack bytes.</returns>
    public byte[] ToBytes() => TubeSerializer.Serialize(this);
}
