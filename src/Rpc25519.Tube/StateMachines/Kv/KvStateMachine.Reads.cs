namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Reads: one key, ranges, prefix scans, key and table listings. They change nothing, so they serve both
/// replicated reads and queries.</summary>
public sealed partial class KvStateMachine
{
    private KvResult Read(long nowMs, KvCommand c)
    {
        if (c.Limit < 0)
        {
            throw new Errors.InvalidCommandException($"A limit cannot be negative (got {c.Limit}); use 0 for no limit.");
        }

        switch (c.Operation)
        {
            case KvOperation.Get:
            {
                var record = RequireTable(c.Table).Find(ValidKey(c.Key));
                return new KvResult { Found = record is not null, Item = record?.ToItem(nowMs, withValue: true) };
            }

            case KvOperation.Range:
                return Scan(nowMs, RequireTable(c.Table).Between(c.Key ?? [], c.EndKey, c.Descending), c.Limit);

            case KvOperation.PrefixScan:
                return Scan(nowMs, Prefixed(RequireTable(c.Table), c.Key ?? [], c.Descending), c.Limit);

            case KvOperation.ListKeys:
            {
                var keys = new List<byte[]>();
                bool more = Take(Prefixed(RequireTable(c.Table), c.Key ?? [], false), c.Limit, r => keys.Add(r.Key));
                return new KvResult { Found = true, Keys = keys, More = more };
            }

            case KvOperation.ListTables:
                return new KvResult { Found = true, Tables = [.. tables.Keys] };

            default:
                throw new Errors.MalformedCommandException(
                    $"Unknown KV operation {(int)c.Operation}; the sender is newer than the replicas.");
        }
    }

    private static IEnumerable<KvRecord> Prefixed(KvTable table, byte[] prefix, bool descending) =>
        table.Between(prefix, ByteKeys.PrefixEnd(prefix), descending);

    private static KvResult Scan(long nowMs, IEnumerable<KvRecord> records, int limit)
    {
        var items = new List<KvItem>();
        bool more = Take(records, limit, r => items.Add(r.ToItem(nowMs, withValue: true)));
        return new KvResult { Found = true, Items = items, More = more };
    }

    /// <summary>Feeds up to <paramref name="limit"/> records (all when 0) to <paramref name="add"/>; true when
    /// more were left.</summary>
    private static bool Take(IEnumerable<KvRecord> records, int limit, Action<KvRecord> add)
    {
        int taken = 0;
        foreach (var record in records)
        {
            if (limit > 0 && taken == limit)
            {
                return true;
            }

            add(record);
            taken++;
        }

        return false;
    }
}
