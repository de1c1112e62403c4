using Google.Protobuf;
using Rpc25519.Tube.Etcd.Wire;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Etcd;

/// <summary>Between etcd's requests and Tube's KV transactions: key ranges, key-values, compares.</summary>
internal static class EtcdMapping
{
    /// <summary>etcd's "one key" / "[key, range_end)" / "every key from key on" (range_end "\0") as Tube's
    /// [Key, EndKey): one key becomes [key, key + "\0"), and "to the end" a null end.</summary>
    public static (byte[] Key, byte[]? EndKey) Range(ByteString key, ByteString rangeEnd)
    {
        byte[] start = key.ToByteArray();
        if (rangeEnd.IsEmpty)
        {
            if (start.Length == 0)
            {
                throw EtcdErrors.KeyNotProvided();
            }

            return (start, [.. start, 0]);
        }

        return rangeEnd.Length == 1 && rangeEnd[0] == 0 ? (start, null) : (start, rangeEnd.ToByteArray());
    }

    public static KeyValue ToKeyValue(KvItem item, bool withValue = true) => new()
    {
        Key = ByteString.CopyFrom(item.Key),
        Value = withValue && item.Value is { } value ? ByteString.CopyFrom(value) : ByteString.Empty,
        CreateRevision = item.CreateIndex, ModRevision = item.ModifyIndex, Version = item.Version, Lease = item.Owner,
    };

    public static KvTxnOp RangeOp(RangeRequest r)
    {
        if (r.Limit < 0 || r.Limit > int.MaxValue)
        {
            throw EtcdErrors.InvalidArgument($"limit {r.Limit} is out of range; use 0 for no limit");
        }

        var (key, end) = Range(r.Key, r.RangeEnd);
        // Sorting by anything but the key is done here after the read, so the read then takes every key.
        bool byKey = r.SortTarget == RangeRequest.Types.SortTarget.Key;
        return new KvTxnOp
        {
            Kind = KvTxnOpKind.Range, Key = key, EndKey = end, KeysOnly = r.KeysOnly, CountOnly = r.CountOnly,
            Limit = byKey && !HasFilters(r) ? (int)r.Limit : 0,
            Descending = byKey && r.SortOrder == RangeRequest.Types.SortOrder.Descend,
        };
    }

    public static KvTxnOp PutOp(PutRequest r)
    {
        if (r.Key.IsEmpty)
        {
            throw EtcdErrors.KeyNotProvided();
        }

        return new KvTxnOp
        {
            Kind = KvTxnOpKind.Put, Key = r.Key.ToByteArray(), Value = r.Value.ToByteArray(), Owner = r.Lease,
            KeepOwner = r.IgnoreLease, KeepValue = r.IgnoreValue, WithPrevious = r.PrevKv,
        };
    }

    public static KvTxnOp DeleteOp(DeleteRangeRequest r)
    {
        var (key, end) = Range(r.Key, r.RangeEnd);
        return new KvTxnOp { Kind = KvTxnOpKind.DeleteRange, Key = key, EndKey = end, WithPrevious = r.PrevKv };
    }

    public static KvCompare ToCompare(Compare c)
    {
        if (c.Key.IsEmpty)
        {
            throw EtcdErrors.KeyNotProvided();
        }

        byte[]? end = c.RangeEnd.IsEmpty ? null : c.RangeEnd.Length == 1 && c.RangeEnd[0] == 0 ? [] : c.RangeEnd.ToByteArray();
        var target = c.Target switch
        {
            Compare.Types.CompareTarget.Version => KvCompareTarget.Version,
            Compare.Types.CompareTarget.Create => KvCompareTarget.CreateIndex,
            Compare.Types.CompareTarget.Mod => KvCompareTarget.ModifyIndex,
            Compare.Types.CompareTarget.Value => KvCompareTarget.Value,
            Compare.Types.CompareTarget.Lease => KvCompareTarget.Owner,
            _ => throw EtcdErrors.InvalidArgument($"unknown compare target {c.Target}"),
        };
        long number = c.TargetUnionCase switch
        {
            Compare.TargetUnionOneofCase.Version => c.Version,
            Compare.TargetUnionOneofCase.CreateRevision => c.CreateRevision,
            Compare.TargetUnionOneofCase.ModRevision => c.ModRevision,
            Compare.TargetUnionOneofCase.Lease => c.Lease,
            _ => 0,
        };
        return new KvCompare
        {
            Key = c.Key.ToByteArray(), EndKey = end, Target = target, Result = (KvCompareResult)(int)c.Result,
            Number = number, Value = c.TargetUnionCase == Compare.TargetUnionOneofCase.Value ? c.Value.ToByteArray() : null,
        };
    }

    /// <summary>The answer to a range: Tube's items, filtered and sorted the way etcd was asked to.</summary>
    public static RangeResponse ToRangeResponse(RangeRequest r, KvResult result, ResponseHeader header)
    {
        var response = new RangeResponse { Header = header, Count = result.Count };
        if (r.CountOnly)
        {
            return response;
        }

        IEnumerable<KvItem> items = result.Items ?? [];
        bool filtered = HasFilters(r);
        if (filtered)
        {
            items = items.Where(i =>
                (r.MinModRevision == 0 || i.ModifyIndex >= r.MinModRevision)
                && (r.MaxModRevision == 0 || i.ModifyIndex <= r.MaxModRevision)
                && (r.MinCreateRevision == 0 || i.CreateIndex >= r.MinCreateRevision)
                && (r.MaxCreateRevision == 0 || i.CreateIndex <= r.MaxCreateRevision));
        }

        bool sortHere = r.SortTarget != RangeRequest.Types.SortTarget.Key;
        if (sortHere)
        {
            Func<KvItem, long> field = r.SortTarget switch
            {
                RangeRequest.Types.SortTarget.Version => i => i.Version,
                RangeRequest.Types.SortTarget.Create => i => i.CreateIndex,
                RangeRequest.Types.SortTarget.Mod => i => i.ModifyIndex,
                _ => _ => 0,
            };
            var ordered = r.SortTarget == RangeRequest.Types.SortTarget.Value
                ? items.OrderBy(i => i.Value ?? [], ByteOrder.Instance)
                : items.OrderBy(field);
            items = r.SortOrder == RangeRequest.Types.SortOrder.Descend ? ordered.Reverse() : ordered;
        }

        var list = items.ToList();
        if ((sortHere || filtered) && r.Limit > 0 && list.Count > r.Limit)
        {
            list = list.GetRange(0, (int)r.Limit);
            response.More = true;
        }
        else
        {
            response.More = result.More;
        }

        response.Kvs.AddRange(list.Select(i => ToKeyValue(i, !r.KeysOnly)));
        return response;
    }

    private static bool HasFilters(RangeRequest r) =>
        r.MinModRevision != 0 || r.MaxModRevision != 0 || r.MinCreateRevision != 0 || r.MaxCreateRevision != 0;

    /// <summary>Bytewise (unsigned) order for sorting by value.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
