namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Orders leased records by table id, then key: the order in which a session's leases are released.</summary>
internal sealed class LeasedRecordComparer : IComparer<KvRecord>
{
    public static LeasedRecordComparer Instance { get; } = new();

    public int Compare(KvRecord? x, KvRecord? y)
    {
        int byTable = x!.Table.Id.CompareTo(y!.Table.Id);
        return byTable != 0 ? byTable : ByteKeys.Compare(x.Key, y.Key);
    }
}
