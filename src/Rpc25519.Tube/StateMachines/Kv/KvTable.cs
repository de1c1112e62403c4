namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>One table: its records sorted bytewise by key. The id never changes (a rename keeps it), so it can
/// order a session's leases across tables.</summary>
internal sealed class KvTable
{
    private readonly SortedSet<KvRecord> records = new(KvRecordComparer.Instance);

    /// <summary>The same records by key, for point lookups: one hash probe instead of a walk down the sorted tree
    /// (about 17 levels for 65,000 keys, most of them cache misses). Ranges and snapshots use the sorted set.</summary>
    private readonly Dictionary<byte[], KvRecord> byKey = new(ByteKeyEquality.Instance);

    public KvTable(int id, string name)
    {
        Id = id;
        Name = name;
    }

    public int Id { get; }

    public string Name { get; set; }

    public int Count => records.Count;

    /// <summary>The bytes of the table's keys and values.</summary>
    public long Bytes { get; private set; }

    public IEnumerable<KvRecord> All => records;

    /// <summary>The record of <paramref name="key"/>, or null. A null key (a compare decoded without one) finds
    /// nothing, as the empty key does: no record has it.</summary>
    public KvRecord? Find(byte[]? key) => key is null ? null : byKey.GetValueOrDefault(key);

    public void Add(KvRecord record)
    {
        record.Table = this;
        records.Add(record);
        byKey.Add(record.Key, record);
        Bytes += record.Key.Length + record.Value.Length;
    }

    public void Remove(KvRecord record)
    {
        records.Remove(record);
        byKey.Remove(record.Key);
        Bytes -= record.Key.Length + record.Value.Length;
    }

    /// <summary>Replaces a record's value (the only way values change, so <see cref="Bytes"/> stays exact).</summary>
    public void SetValue(KvRecord record, byte[] value)
    {
        Bytes += value.Length - record.Value.Length;
        record.Value = value;
    }

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
