namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>One table: its records sorted bytewise by key. The id never changes (a rename keeps it), so it can
/// order a session's leases across tables.</summary>
internal sealed class KvTable
{
    private readonly SortedSet<KvRecord> records = new(KvRecordComparer.Instance);

    public KvTable(int id, string name)
    {
        Id = id;
        Name = name;
    }

    public int Id { get; }

    public string Name { get; set; }

    public int Count => records.Count;

    public IEnumerable<KvRecord> All => records;

    public KvRecord? Find(byte[] key) =>
        records.TryGetValue(new KvRecord { Key = key }, out var found) ? found : null;

    public void Add(KvRecord record)
    {
        record.Table = this;
        records.Add(record);
    }

    public void Remove(KvRecord record) => records.Remove(record);

    /// <summary>The records with keys in [<paramref name="start"/>, <paramref name="end"/>) (null or empty end: to
    /// the last key), ascending or descending.</summary>
    public IEnumerable<KvRecord> Between(byte[] start, byte[]? end, bool descending)
    {
        if (records.Count == 0)
        {
            return [];
        }

        var low = new KvRecord { Key = start };
        bool bounded = end is { Length: > 0 };
        var high = bounded ? new KvRecord { Key = end! } : records.Max!;
        int order = KvRecordComparer.Instance.Compare(low, high);
        if (order > 0 || (bounded && order == 0))
        {
            return [];
        }

        var view = records.GetViewBetween(low, high);
        var ordered = descending ? view.Reverse() : view;
        return bounded ? ordered.Where(r => ByteKeys.Compare(r.Key, end!) < 0) : ordered;
    }
}
