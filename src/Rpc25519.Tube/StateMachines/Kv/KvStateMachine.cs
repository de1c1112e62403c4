using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>
/// The replicated key/value store: named tables of byte-string keys ordered bytewise, each key with its value,
/// version, create and modify indexes, and an optional lease owned by a client session with a fencing token.
/// Commands and reads are <see cref="KvCommand"/>s; replies are <see cref="KvResult"/>s. Deterministic: lease
/// expiry is decided by the log time only.
/// </summary>
public sealed partial class KvStateMachine : IReplicatedStateMachine
{
    /// <summary>The name <see cref="StateMachineSet.WithKv"/> registers the store under.</summary>
    public const string DefaultName = "kv";

    private const int MaxTableNameLength = 256;

    private readonly StateMachineOptions options;
    private readonly SortedDictionary<string, KvTable> tables = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, SortedSet<KvRecord>> leasesBySession = [];
    private int nextTableId = 1;

    /// <summary>Creates an empty store.</summary>
    /// <param name="options">The limits (value and key size, lease length); the same on every replica.</param>
    public KvStateMachine(StateMachineOptions? options = null)
    {
        this.options = options ?? new StateMachineOptions();
    }

    /// <summary>How many tables exist.</summary>
    public int TableCount => tables.Count;

    /// <summary>The bytes of all keys and values held, which <see cref="StateMachineOptions.MaxStateBytes"/>
    /// bounds.</summary>
    public long StateBytes => tables.Values.Sum(table => table.Bytes);

    /// <summary>Refuses, before any change, a command that could add to a store already at its limit.</summary>
    private void EnsureRoomToGrow()
    {
        long held = StateBytes;
        if (held >= options.MaxStateBytes)
        {
            throw new StateLimitException(
                $"The KV store holds {held} bytes of keys and values, its limit (StateMachineOptions.MaxStateBytes " +
                $"= {options.MaxStateBytes}); delete keys or drop tables to make room, or raise the limit on every " +
                "replica. Reads and deletes still work.");
        }
    }

    /// <inheritdoc />
    public byte[] Apply(ApplyContext context, ReadOnlyMemory<byte> command)
    {
        var c = TubeSerializer.Deserialize<KvCommand>(command);
        var result = c.Operation switch
        {
            KvOperation.Put => Put(context, c),
            KvOperation.CompareAndSwap => c.HasCondition
                ? Put(context, c)
                : throw new InvalidCommandException(
                    "A compare-and-swap needs at least one condition (expected value, version or fencing token); " +
                    "use Put for an unconditional write."),
            KvOperation.Delete => Delete(context, c),
            KvOperation.ReleaseLease => ReleaseLease(context, c),
            KvOperation.CreateTable => CreateTable(context, c),
            KvOperation.DropTable => DropTable(context, c),
            KvOperation.RenameTable => RenameTable(context, c),
            KvOperation.Txn => Txn(context, c),
            KvOperation.SessionKeys => throw new InvalidCommandException(
                "SessionKeys reads a session's state; send it as a query, not as a replicated command."),
            _ => Read(context.LogTimeMs, c),
        };
        return TubeSerializer.Serialize(result);
    }

    /// <inheritdoc />
    public byte[] Query(ReadContext context, ReadOnlyMemory<byte> query)
    {
        var c = TubeSerializer.Deserialize<KvCommand>(query);
        if (!c.IsRead)
        {
            throw new InvalidCommandException(
                $"{c.Operation} changes the store; send it as a replicated command, not as a read.");
        }

        return TubeSerializer.Serialize(c.Operation switch
        {
            KvOperation.Txn => ReadOnlyTxn(context, c),
            KvOperation.SessionKeys => SessionKeys(context, c),
            _ => Read(context.LogTimeMs, c),
        });
    }

    /// <inheritdoc />
    public void OnSessionEnded(ApplyContext context, long sessionId)
    {
        DeleteOwnedKeys(context, sessionId);
        if (!leasesBySession.Remove(sessionId, out var leased))
        {
            return;
        }

        foreach (var record in leased)
        {
            bool wasActive = record.ActiveLeaseHolder(context.LogTimeMs) == sessionId;
            record.LeaseSession = 0;
            record.LeaseUntilMs = 0;
            if (wasActive)
            {
                context.RecordChange(record.Table.Name, record.Key, Changes.ChangeKind.LeaseReleased, record.Version,
                    null);
            }
        }
    }

    /// <inheritdoc />
    public void WriteSnapshot(Stream destination)
    {
        var snapshot = new KvSnapshot { NextTableId = nextTableId };
        foreach (var table in tables.Values)
        {
            snapshot.Tables.Add(new KvTableSnapshot { Id = table.Id, Name = table.Name, Records = [.. table.All] });
        }

        TubeSerializer.Serialize(destination, snapshot);
    }

    /// <inheritdoc />
    public void RestoreSnapshot(Stream source)
    {
        var snapshot = TubeSerializer.Deserialize<KvSnapshot>(source);
        tables.Clear();
        leasesBySession.Clear();
        ownedBySession.Clear();
        nextTableId = snapshot.NextTableId;
        foreach (var part in snapshot.Tables)
        {
            var table = new KvTable(part.Id, part.Name);
            tables.Add(part.Name, table);
            foreach (var record in part.Records)
            {
                table.Add(record);
                if (record.LeaseSession != 0)
                {
                    IndexLease(record);
                }

                IndexOwner(record);
            }
        }
    }
}
