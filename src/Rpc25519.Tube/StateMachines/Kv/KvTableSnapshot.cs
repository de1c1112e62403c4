using MessagePack;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>One table in a <see cref="KvSnapshot"/>.</summary>
[MessagePackObject]
internal sealed class KvTableSnapshot
{
    [Key(0)]
    public int Id { get; init; }

    [Key(1)]
    public string Name { get; init; } = "";

    [Key(2)]
    public List<KvRecord> Records { get; init; } = [];
}
