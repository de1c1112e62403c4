using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>A key with its value and bookkeeping, as returned by reads and writes.</summary>
[MessagePackObject]
public sealed class KvItem
{
    /// <summary>The key.</summary>
    [Key(0)]
    public byte[] Key { get; init; } = [];

    /// <summary>The value (null in replies that leave it out, such as a write's).</summary>
    [Key(1)]
    public byte[]? Value { get; init; }

    /// <summary>The key's version: 1 when created, +1 on every write; starts again at 1 if the key is deleted and
    /// written again.</summary>
    [Key(2)]
    public long Version { get; init; }

    /// <summary>The log index of the write that created the key.</summary>
    [Key(3)]
    public long CreateIndex { get; init; }

    /// <summary>The log index of the last write to the key.</summary>
    [Key(4)]
    public long ModifyIndex { get; init; }

    /// <summary>The session holding a lease on the key, or 0 when no lease is active.</summary>
    [Key(5)]
    public long LeaseSession { get; init; }

    /// <summary>When the active lease ends, in log time (Unix milliseconds); 0 when none is active.</summary>
    [Key(6)]
    public long LeaseUntilMs { get; init; }

    /// <summary>The fencing token of the latest lease granted on the key (the log index of the grant); it only
    /// grows, also across deletes. 0 when never leased.</summary>
    [Key(7)]
    public long FencingToken { get; init; }

    /// <summary>The session that owns the key, or 0: an owned key is deleted when its owner session ends (the etcd
    /// endpoint's leases are sessions, and this is a key's etcd lease).</summary>
    [Key(8)]
    public long Owner { get; init; }

    /// <summary>When the active lease ends, as a date (null when none is active).</summary>
    [IgnoreMember]
    public DateTimeOffset? LeaseUntil => LeaseSession == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(LeaseUntilMs);
}
