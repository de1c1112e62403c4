using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>One stored key: its value, versions and lease. Held in its table's sorted set (ordered by key only, so
/// every other field may change in place).</summary>
[MessagePackObject]
internal sealed class KvRecord
{
    [Key(0)]
    public byte[] Key { get; init; } = [];

    [Key(1)]
    public byte[] Value { get; set; } = [];

    [Key(2)]
    public long Version { get; set; }

    [Key(3)]
    public long CreateIndex { get; set; }

    [Key(4)]
    public long ModifyIndex { get; set; }

    /// <summary>The session that was granted the lease (0 for none); the lease is active while the log time is
    /// below <see cref="LeaseUntilMs"/>.</summary>
    [Key(5)]
    public long LeaseSession { get; set; }

    [Key(6)]
    public long LeaseUntilMs { get; set; }

    [Key(7)]
    public long FencingToken { get; set; }

    /// <summary>The session that owns the key (0 for none): the key is deleted when that session ends.</summary>
    [Key(8)]
    public long Owner { get; set; }

    /// <summary>The table holding the record (not serialized; set when the record is added).</summary>
    [IgnoreMember]
    public KvTable Table { get; set; } = null!;

    public long ActiveLeaseHolder(long nowMs) => LeaseSession != 0 && nowMs < LeaseUntilMs ? LeaseSession : 0;

    public KvItem ToItem(long nowMs, bool withValue)
    {
        long holder = ActiveLeaseHolder(nowMs);
        return new KvItem
        {
            Key = Key,
            Value = withValue ? Value : null,
            Version = Version,
            CreateIndex = CreateIndex,
            ModifyIndex = ModifyIndex,
            LeaseSession = holder,
            LeaseUntilMs = holder == 0 ? 0 : LeaseUntilMs,
            FencingToken = FencingToken,
            Owner = Owner,
        };
    }
}
