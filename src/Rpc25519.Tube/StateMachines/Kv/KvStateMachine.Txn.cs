using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Multi-key transactions (<see cref="KvTxn"/>): compare, then one branch of ranges, puts and range deletes,
/// all at one log index. Every operation of the chosen branch is checked before the first one changes anything, so a
/// refusal leaves the store untouched.</summary>
public sealed partial class KvStateMachine
{
    private KvResult Txn(ApplyContext context, KvCommand c)
    {
        string name = ValidTableName(c.Table);
        var txn = c.Txn ?? throw new InvalidCommandException("A transaction command needs its Txn (compares and branches).");
        long now = context.LogTimeMs;
        tables.TryGetValue(name, out var table);
        bool succeeded = txn.Compares.All(compare => Holds(table, compare));
        var ops = succeeded ? txn.Success : txn.Failure;
        foreach (var op in ops)
        {
            CheckOp(context, table, name, op);
        }

        if (ops.Any(op => op.Kind == KvTxnOpKind.Put))
        {
            EnsureRoomToGrow();
        }

        var results = new List<KvResult>(ops.Count);
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case KvTxnOpKind.Range:
                    results.Add(RangeOp(table, op, now));
                    break;
                case KvTxnOpKind.Put:
                    table ??= AddTable(context, name);
                    results.Add(PutOp(context, table, op));
                    break;
                default:
                    results.Add(DeleteRangeOp(context, table, op));
                    break;
            }
        }

        return new KvResult { Found = true, Succeeded = succeeded, Results = results, Revision = context.Index };
    }

    /// <summary>A read-only transaction served as a query: its ranges, at the applied index.</summary>
    private KvResult ReadOnlyTxn(ReadContext context, KvCommand c)
    {
        string name = ValidTableName(c.Table);
        var txn = c.Txn!;
        tables.TryGetValue(name, out var table);
        bool succeeded = txn.Compares.All(compare => Holds(table, compare));
        var ops = succeeded ? txn.Success : txn.Failure;
        foreach (var op in ops)
        {
            CheckRange(op);
        }

        return new KvResult
        {
            Found = true, Succeeded = succeeded, Results = [.. ops.Select(op => RangeOp(table, op, context.LogTimeMs))],
            Revision = context.AppliedIndex,
        };
    }

    private static bool Holds(KvTable? table, KvCompare compare)
    {
        if (compare.EndKey is null)
        {
            return Compare(table?.Find(compare.Key), compare);
        }

        // A range compare holds when every key in the range satisfies it (and trivially on an empty range).
        return table is null || table.Between(compare.Key, compare.EndKey, false).All(r => Compare(r, compare));
    }

    private static bool Compare(KvRecord? record, KvCompare compare)
    {
        int order;
        if (compare.Target == KvCompareTarget.Value)
        {
            if (record is null)
            {
                return false;
            }

            order = record.Value.AsSpan().SequenceCompareTo(compare.Value ?? []);
        }
        else
        {
            long field = compare.Target switch
            {
                KvCompareTarget.Version => record?.Version ?? 0,
                KvCompareTarget.CreateIndex => record?.CreateIndex ?? 0,
                KvCompareTarget.ModifyIndex => record?.ModifyIndex ?? 0,
                KvCompareTarget.Owner => record?.Owner ?? 0,
                _ => throw new InvalidCommandException($"Unknown compare target {(int)compare.Target}."),
            };
            order = field.CompareTo(compare.Number);
        }

        return compare.Result switch
        {
            KvCompareResult.Equal => order == 0,
            KvCompareResult.Greater => order > 0,
            KvCompareResult.Less => order < 0,
            KvCompareResult.NotEqual => order != 0,
            _ => throw new InvalidCommandException($"Unknown compare result {(int)compare.Result}."),
        };
    }

    private void CheckOp(ApplyContext context, KvTable? table, string name, KvTxnOp op)
    {
        switch (op.Kind)
        {
            case KvTxnOpKind.Range:
                CheckRange(op);
                return;
            case KvTxnOpKind.Put:
            {
                byte[] key = ValidKey(op.Key);
                ValidValue(op.Value);
                var record = table?.Find(key);
                if ((op.KeepValue || op.KeepOwner) && record is null)
                {
                    throw new InvalidCommandException(
                        $"Key {ByteKeys.Display(key)} in table '{name}' does not exist, so its current value or owner " +
                        "cannot be kept; write it with a value and owner first.");
                }

                if (!op.KeepOwner)
                {
                    EnsureOwnerOpen(context, op.Owner);
                }

                EnsureNotLeasedByOther(record, name, context.SessionId, context.LogTimeMs);
                return;
            }

            case KvTxnOpKind.DeleteRange:
                ValidKey(op.Key);
                if (table is not null)
                {
                    foreach (var record in table.Between(op.Key, op.EndKey, false))
                    {
                        EnsureNotLeasedByOther(record, name, context.SessionId, context.LogTimeMs);
                    }
                }

                return;
            default:
                throw new InvalidCommandException($"Unknown transaction operation {(int)op.Kind}.");
        }
    }

    private static void CheckRange(KvTxnOp op)
    {
        if (op.Kind != KvTxnOpKind.Range)
        {
            throw new InvalidCommandException($"A read-only transaction holds only ranges, not {op.Kind}.");
        }

        if (op.Limit < 0)
        {
            throw new InvalidCommandException($"A limit cannot be negative (got {op.Limit}); use 0 for no limit.");
        }
    }

    private static KvResult RangeOp(KvTable? table, KvTxnOp op, long nowMs)
    {
        var items = new List<KvItem>();
        long count = 0;
        bool more = false;
        foreach (var record in table?.Between(op.Key, op.EndKey, op.Descending) ?? [])
        {
            count++;
            if (op.CountOnly)
            {
                continue;
            }

            if (op.Limit > 0 && items.Count == op.Limit)
            {
                more = true;
                continue;
            }

            items.Add(record.ToItem(nowMs, withValue: !op.KeysOnly));
        }

        return new KvResult { Found = true, Items = items, Count = count, More = more };
    }

    private KvResult PutOp(ApplyContext context, KvTable table, KvTxnOp op)
    {
        long now = context.LogTimeMs;
        var record = table.Find(op.Key);
        var before = op.WithPrevious ? record?.ToItem(now, withValue: true) : null;
        if (record is null)
        {
            record = new KvRecord { Key = op.Key, CreateIndex = context.Index };
            table.Add(record);
        }

        if (!op.KeepValue)
        {
            table.SetValue(record, op.Value ?? []);
        }

        if (!op.KeepOwner)
        {
            SetOwner(record, op.Owner);
        }

        record.Version++;
        record.ModifyIndex = context.Index;
        ClearExpiredLease(record, now);
        context.RecordChange(table.Name, record.Key, ChangeKind.Put, record.Version, record.Value);
        return new KvResult { Found = before is not null, Item = before };
    }

    private KvResult DeleteRangeOp(ApplyContext context, KvTable? table, KvTxnOp op)
    {
        if (table is null)
        {
            return new KvResult { Found = false, Items = [] };
        }

        long now = context.LogTimeMs;
        var doomed = table.Between(op.Key, op.EndKey, false).ToList();
        var items = new List<KvItem>(op.WithPrevious ? doomed.Count : 0);
        foreach (var record in doomed)
        {
            if (op.WithPrevious)
            {
                items.Add(record.ToItem(now, withValue: true));
            }

            ForgetOwner(record);
            ClearLease(record);
            table.Remove(record);
            context.RecordChange(table.Name, record.Key, ChangeKind.Delete, 0, null);
        }

        return new KvResult { Found = doomed.Count > 0, Items = items, Count = doomed.Count };
    }
}
