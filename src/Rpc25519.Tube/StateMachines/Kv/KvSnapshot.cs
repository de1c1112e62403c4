using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>The KV store as written to a snapshot: tables in name order, records in key order.</summary>
[MessagePackObject]
internal sealed class KvSnapshot
{
    [Key(0)]
    public int NextTableId { get; init; }

    [Key(1)]
    public List<KvTableSnapshot> Tables { get; init; } = [];
}
