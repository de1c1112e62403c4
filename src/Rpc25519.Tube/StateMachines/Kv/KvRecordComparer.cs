namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Orders records by key, bytewise.</summary>
internal sealed class KvRecordComparer : IComparer<KvRecord>
{
    public static KvRecordComparer Instance { get; } = new();

    public int Compare(KvRecord? x, KvRecord? y) => ByteKeys.Compare(x!.Key, y!.Key);
}
