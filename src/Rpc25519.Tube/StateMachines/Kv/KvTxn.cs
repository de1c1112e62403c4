using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>
/// A multi-key transaction on one table, applied atomically at one log index: if every <see cref="Compares"/> holds,
/// the <see cref="Success"/> operations run in order, else the <see cref="Failure"/> operations. Each operation
/// works on a key range [Key, EndKey), so one key is [k, k + 0x00). Later operations see the writes of earlier ones.
/// This is the shape of etcd's Txn; the etcd v3 endpoint (Rpc25519.Tube.Etcd) sends its Put, DeleteRange and Txn
/// calls as one of these.
/// </summary>
[MessagePackObject]
public sealed class KvTxn
{
    /// <summary>The conditions; all must hold (none: the success branch runs).</summary>
    [Key(0)]
    public List<KvCompare> Compares { get; init; } = [];

    /// <summary>The operations run when every condition holds.</summary>
    [Key(1)]
    public List<KvTxnOp> Success { get; init; } = [];

    /// <summary>The operations run when a condition fails.</summary>
    [Key(2)]
    public List<KvTxnOp> Failure { get; init; } = [];

    /// <summary>True when no operation of either branch writes (such a transaction may be served as a read).</summary>
    [IgnoreMember]
    public bool IsReadOnly => Success.Concat(Failure).All(op => op.Kind == KvTxnOpKind.Range);
}

/// <summary>What a <see cref="KvCompare"/> looks at.</summary>
public enum KvCompareTarget
{
    /// <summary>The key's version (0 when absent).</summary>
    Version = 0,

    /// <summary>The key's create index (0 when absent).</summary>
    CreateIndex = 1,

    /// <summary>The key's modify index (0 when absent).</summary>
    ModifyIndex = 2,

    /// <summary>The key's value (an absent key never matches).</summary>
    Value = 3,

    /// <summary>The session that owns the key (<see cref="KvItem.Owner"/>; 0 when none or absent).</summary>
    Owner = 4,
}

/// <summary>How a <see cref="KvCompare"/> compares.</summary>
public enum KvCompareResult
{
    /// <summary>Equal.</summary>
    Equal = 0,

    /// <summary>The key's field is greater than the operand.</summary>
    Greater = 1,

    /// <summary>The key's field is less than the operand.</summary>
    Less = 2,

    /// <summary>Not equal.</summary>
    NotEqual = 3,
}

/// <summary>One condition of a <see cref="KvTxn"/>: a field of a key (or of every key in [Key, EndKey)) compared with
/// an operand.</summary>
[MessagePackObject]
public sealed class KvCompare
{
    /// <summary>The key.</summary>
    [Key(0)]
    public byte[] Key { get; init; } = [];

    /// <summary>Null to compare one key; otherwise the exclusive end of a range (empty: to the end of the table),
    /// every key of which must satisfy the condition.</summary>
    [Key(1)]
    public byte[]? EndKey { get; init; }

    /// <summary>The field.</summary>
    [Key(2)]
    public KvCompareTarget Target { get; init; }

    /// <summary>The comparison.</summary>
    [Key(3)]
    public KvCompareResult Result { get; init; }

    /// <summary>The operand for the number targets.</summary>
    [Key(4)]
    public long Number { get; init; }

    /// <summary>The operand for <see cref="KvCompareTarget.Value"/> (compared bytewise).</summary>
    [Key(5)]
    public byte[]? Value { get; init; }
}

/// <summary>What a <see cref="KvTxnOp"/> does.</summary>
public enum KvTxnOpKind
{
    /// <summary>Read the keys in the range.</summary>
    Range = 0,

    /// <summary>Write one key.</summary>
    Put = 1,

    /// <summary>Delete every key in the range.</summary>
    DeleteRange = 2,
}

/// <summary>One operation of a <see cref="KvTxn"/>. Its result is a <see cref="KvResult"/> in
/// <see cref="KvResult.Results"/>: for a range the items, <see cref="KvResult.Count"/> and <see cref="KvResult.More"/>;
/// for a put the previous item when asked; for a delete the deleted items (with values when asked) and their
/// count.</summary>
[MessagePackObject]
public sealed class KvTxnOp
{
    /// <summary>What to do.</summary>
    [Key(0)]
    public KvTxnOpKind Kind { get; init; }

    /// <summary>The key, or the first key of the range.</summary>
    [Key(1)]
    public byte[] Key { get; init; } = [];

    /// <summary>For ranges and deletes: the exclusive end (null or empty: to the end of the table).</summary>
    [Key(2)]
    public byte[]? EndKey { get; init; }

    /// <summary>For a put: the value.</summary>
    [Key(3)]
    public byte[]? Value { get; init; }

    /// <summary>For a put: the session that will own the key (0 for none). An owned key is deleted when its owner
    /// session ends (expires or is closed).</summary>
    [Key(4)]
    public long Owner { get; init; }

    /// <summary>For a put: keep the key's current owner (the key must exist).</summary>
    [Key(5)]
    public bool KeepOwner { get; init; }

    /// <summary>For a put: keep the key's current value (the key must exist).</summary>
    [Key(6)]
    public bool KeepValue { get; init; }

    /// <summary>For a range: the most items (0 for all); the count still counts every key.</summary>
    [Key(7)]
    public int Limit { get; init; }

    /// <summary>For a range: highest keys first.</summary>
    [Key(8)]
    public bool Descending { get; init; }

    /// <summary>For a put or a delete: return the items as they were before, with values.</summary>
    [Key(9)]
    public bool WithPrevious { get; init; }

    /// <summary>For a range: leave the values out.</summary>
    [Key(10)]
    public bool KeysOnly { get; init; }

    /// <summary>For a range: return only the count.</summary>
    [Key(11)]
    public bool CountOnly { get; init; }
}
