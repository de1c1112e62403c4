using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>The reply of a KV command or read.</summary>
[MessagePackObject]
public sealed class KvResult
{
    /// <summary>For a single key: whether it exists (for a delete: whether it existed).</summary>
    [Key(0)]
    public bool Found { get; init; }

    /// <summary>For a single key: the key (after a write, without its value; after a delete, as it was).</summary>
    [Key(1)]
    public KvItem? Item { get; init; }

    /// <summary>For range and prefix scans: the items, in the order asked for.</summary>
    [Key(2)]
    public List<KvItem>? Items { get; init; }

    /// <summary>For key listings: the keys, ascending.</summary>
    [Key(3)]
    public List<byte[]>? Keys { get; init; }

    /// <summary>For table listings: the names, in ordinal order.</summary>
    [Key(4)]
    public List<string>? Tables { get; init; }

    /// <summary>For scans: true when the limit cut the answer short.</summary>
    [Key(5)]
    public bool More { get; init; }

    /// <summary>For a transaction: whether every condition held (so the success branch ran).</summary>
    [Key(6)]
    public bool Succeeded { get; init; }

    /// <summary>For a transaction: one result per operation of the branch that ran, in order.</summary>
    [Key(7)]
    public List<KvResult>? Results { get; init; }

    /// <summary>For a transaction's range: how many keys the range holds (regardless of the limit); for its delete:
    /// how many keys were deleted.</summary>
    [Key(8)]
    public long Count { get; init; }

    /// <summary>For a transaction and a session-keys read: the log index it was applied or read at.</summary>
    [Key(9)]
    public long Revision { get; init; }

    /// <summary>For a session-keys read: the session, or null when it is not open.</summary>
    [Key(10)]
    public Sessions.SessionInfo? Session { get; init; }

    /// <summary>For a session-keys read: the log time (Unix milliseconds) as of the read.</summary>
    [Key(11)]
    public long LogTimeMs { get; init; }

    /// <summary>Decodes a KV reply payload.</summary>
    /// <param name="payload">The payload of a successful <see cref="TubeReply"/>.</param>
    /// <returns>The result.</returns>
    public static KvResult FromBytes(ReadOnlyMemory<byte> payload) => TubeSerializer.Deserialize<KvResult>(payload);
}
