using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Owned keys: a key written with an owner session is deleted when that session ends, which is how an etcd
/// lease's keys go away when the lease expires or is revoked.</summary>
public sealed partial class KvStateMachine
{
    private readonly SortedDictionary<long, SortedSet<KvRecord>> ownedBySession = [];

    private void SetOwner(KvRecord record, long owner)
    {
        if (record.Owner == owner)
        {
            return;
        }

        ForgetOwner(record);
        record.Owner = owner;
        IndexOwner(record);
    }

    private void IndexOwner(KvRecord record)
    {
        if (record.Owner == 0)
        {
            return;
        }

        if (!ownedBySession.TryGetValue(record.Owner, out var owned))
        {
            owned = new SortedSet<KvRecord>(LeasedRecordComparer.Instance);
            ownedBySession.Add(record.Owner, owned);
        }

        owned.Add(record);
    }

    private void ForgetOwner(KvRecord record)
    {
        if (record.Owner != 0 && ownedBySession.TryGetValue(record.Owner, out var owned))
        {
            owned.Remove(record);
            if (owned.Count == 0)
            {
                ownedBySession.Remove(record.Owner);
            }
        }

        record.Owner = 0;
    }

    /// <summary>Deletes every key the ended session owned, in table-id and key order, each as a
    /// <see cref="ChangeKind.Delete"/> change.</summary>
    private void DeleteOwnedKeys(ApplyContext context, long sessionId)
    {
        if (!ownedBySession.Remove(sessionId, out var owned))
        {
            return;
        }

        foreach (var record in owned)
        {
            record.Owner = 0;
            ClearLease(record);
            record.Table.Remove(record);
            context.RecordChange(record.Table.Name, record.Key, ChangeKind.Delete, 0, null);
        }
    }

    private KvResult SessionKeys(ReadContext context, KvCommand c)
    {
        string name = ValidTableName(c.Table);
        var session = context.FindSession?.Invoke(c.Owner);
        var keys = new List<byte[]>();
        if (session is not null && ownedBySession.TryGetValue(c.Owner, out var owned))
        {
            keys.AddRange(owned.Where(r => r.Table.Name == name).Select(r => r.Key));
        }

        return new KvResult
        {
            Found = session is not null, Session = session, Keys = keys, Revision = context.AppliedIndex,
            LogTimeMs = context.LogTimeMs,
        };
    }

    private static void EnsureOwnerOpen(ApplyContext context, long owner)
    {
        if (owner < 0 || (owner != 0 && !context.IsSessionOpen(owner)))
        {
            throw new OwnerSessionNotFoundException(
                $"Owner session {owner} is not open (it expired, was closed, or never existed); open a new session " +
                "(an etcd client: grant a new lease) and write again.");
        }
    }
}
