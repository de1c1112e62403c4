using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Leases: who may write a key, grants and renewals, and the index of each session's leases.</summary>
public sealed partial class KvStateMachine
{
    /// <summary>How many keys are under a lease (held by a session, expired or not, until a write or the session's
    /// end clears it).</summary>
    internal int LeaseCount => leasesBySession.Values.Sum(static leased => leased.Count);

    /// <summary>Refuses when another session's lease still protects the key: until its end, plus the configured
    /// clock drift bound.</summary>
    private void EnsureNotLeasedByOther(KvRecord? record, string table, long sessionId, long nowMs)
    {
        long driftMs = (long)options.LeaseClockDriftBound.TotalMilliseconds;
        long holder = record is { LeaseSession: not 0 } && nowMs < record.LeaseUntilMs + driftMs ? record.LeaseSession : 0;
        if (holder != 0 && holder != sessionId)
        {
            var until = DateTimeOffset.FromUnixTimeMilliseconds(record!.LeaseUntilMs);
            string drift = driftMs == 0 ? "" : $" (others may take it {driftMs} ms later, the clock drift bound)";
            throw new KeyLeasedException(
                $"Key {ByteKeys.Display(record.Key)} in table '{table}' is leased by session {holder} until " +
                $"{until:O} (log time){drift}; wait until then or until that session releases it, then retry.",
                record.ToItem(nowMs, withValue: true));
        }
    }

    /// <summary>Takes or renews a lease for the writing session. A renewal keeps the fencing token and never
    /// shortens the lease; a new grant gets the entry's index as its token, which is larger than any before.</summary>
    private void TakeLease(KvRecord record, ApplyContext context, long leaseMs)
    {
        long until = context.LogTimeMs + leaseMs;
        if (record.ActiveLeaseHolder(context.LogTimeMs) == context.SessionId)
        {
            record.LeaseUntilMs = Math.Max(record.LeaseUntilMs, until);
            return;
        }

        ClearLease(record);
        record.LeaseSession = context.SessionId;
        record.LeaseUntilMs = until;
        record.FencingToken = context.Index;
        IndexLease(record);
    }

    /// <summary>Forgets a lease that has ended by time, so the record no longer names a holder.</summary>
    private void ClearExpiredLease(KvRecord record, long nowMs)
    {
        if (record.LeaseSession != 0 && record.ActiveLeaseHolder(nowMs) == 0)
        {
            ClearLease(record);
        }
    }

    private void ClearLease(KvRecord record)
    {
        if (record.LeaseSession == 0)
        {
            return;
        }

        if (leasesBySession.TryGetValue(record.LeaseSession, out var leased))
        {
            leased.Remove(record);
            if (leased.Count == 0)
            {
                leasesBySession.Remove(record.LeaseSession);
            }
        }

        record.LeaseSession = 0;
        record.LeaseUntilMs = 0;
    }

    private void IndexLease(KvRecord record)
    {
        if (!leasesBySession.TryGetValue(record.LeaseSession, out var leased))
        {
            leased = new SortedSet<KvRecord>(LeasedRecordComparer.Instance);
            leasesBySession.Add(record.LeaseSession, leased);
        }

        leased.Add(record);
    }

    private void EnsureNoForeignLeases(KvTable table, long sessionId, long nowMs)
    {
        foreach (var record in table.All)
        {
            EnsureNotLeasedByOther(record, table.Name, sessionId, nowMs);
        }
    }
}
