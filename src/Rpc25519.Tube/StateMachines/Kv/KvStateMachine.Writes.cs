using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Writes, deletes and lease releases. Each checks everything first and changes state last, so a refusal
/// leaves the store untouched.</summary>
public sealed partial class KvStateMachine
{
    private KvResult Put(ApplyContext context, KvCommand c)
    {
        string name = ValidTableName(c.Table);
        byte[] key = ValidKey(c.Key);
        byte[] value = ValidValue(c.Value);
        long leaseMs = ValidLease(c.LeaseMs, context.SessionId);
        long now = context.LogTimeMs;
        tables.TryGetValue(name, out var table);
        var record = table?.Find(key);
        // The caller's conditions first: a holder fenced off by its old token hears "a newer lease was granted"
        // even while that newer lease is still active.
        CheckConditions(c, record, name, now);
        EnsureNotLeasedByOther(record, name, context.SessionId, now);
        long growth = record is null ? key.Length + value.Length : value.Length - record.Value.Length;
        if (growth > 0)
        {
            EnsureRoomToGrow();
        }

        table ??= AddTable(context, name);
        if (record is null)
        {
            record = new KvRecord { Key = key, CreateIndex = context.Index };
            table.Add(record);
        }

        table.SetValue(record, value);
        record.Version++;
        record.ModifyIndex = context.Index;
        ClearExpiredLease(record, now);
        if (leaseMs > 0)
        {
            TakeLease(record, context, leaseMs);
        }

        context.RecordChange(name, key, ChangeKind.Put, record.Version, value);
        return new KvResult { Found = true, Item = record.ToItem(now, withValue: false) };
    }

    private KvResult Delete(ApplyContext context, KvCommand c)
    {
        var table = RequireTable(c.Table);
        byte[] key = ValidKey(c.Key);
        long now = context.LogTimeMs;
        var record = table.Find(key);
        CheckConditions(c, record, table.Name, now);
        EnsureNotLeasedByOther(record, table.Name, context.SessionId, now);
        if (record is null)
        {
            return new KvResult { Found = false };
        }

        var before = record.ToItem(now, withValue: true);
        ForgetOwner(record);
        ClearLease(record);
        table.Remove(record);
        context.RecordChange(table.Name, key, ChangeKind.Delete, 0, null);
        return new KvResult { Found = true, Item = before };
    }

    private KvResult ReleaseLease(ApplyContext context, KvCommand c)
    {
        var table = RequireTable(c.Table);
        byte[] key = ValidKey(c.Key);
        long now = context.LogTimeMs;
        var record = table.Find(key);
        long holder = record?.ActiveLeaseHolder(now) ?? 0;
        if (context.SessionId == 0 || holder != context.SessionId)
        {
            throw new NotLeaseHolderException(
                $"Session {context.SessionId} holds no lease on key {ByteKeys.Display(key)} in table '{table.Name}' " +
                (holder == 0 ? "(no lease is active: it ended or was never taken)" : $"(session {holder} holds it)") +
                "; nothing to release.");
        }

        ClearLease(record!);
        context.RecordChange(table.Name, key, ChangeKind.LeaseReleased, record!.Version, null);
        return new KvResult { Found = true, Item = record.ToItem(now, withValue: false) };
    }
}
