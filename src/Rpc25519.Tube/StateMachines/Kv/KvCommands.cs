namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Builds <see cref="KvCommand"/>s. Send writes with <see cref="TubeCommand.ForMachine"/> (payload
/// <see cref="KvCommand.ToBytes"/>), and reads either the same way (a log read) or as a query.</summary>
public static class KvCommands
{
    /// <summary>Reads one key.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <returns>The command.</returns>
    public static KvCommand Get(string table, byte[] key) => new() { Operation = KvOperation.Get, Table = table, Key = key };

    /// <summary>Writes one key, optionally taking or renewing a lease for the sending session.</summary>
    /// <param name="table">The table (created if missing).</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="lease">The lease to take or renew, or null for none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="Errors.InvalidCommandException">The lease is zero or negative.</exception>
    public static KvCommand Put(string table, byte[] key, byte[] value, TimeSpan? lease = null) => new()
    {
        Operation = KvOperation.Put, Table = table, Key = key, Value = value, LeaseMs = LeaseMs(lease),
    };

    /// <summary>Writes one key only if every given condition holds.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expectedValue">The value the key must hold, or null not to check.</param>
    /// <param name="expectedVersion">The version the key must be at (0: absent), or null not to check.</param>
    /// <param name="expectedFencingToken">The fencing token the key must carry, or null not to check.</param>
    /// <param name="lease">The lease to take or renew, or null for none.</param>
    /// <returns>The command.</returns>
    /// <exception cref="Errors.InvalidCommandException">The lease is zero or negative.</exception>
    public static KvCommand CompareAndSwap(string table, byte[] key, byte[] value, byte[]? expectedValue = null,
        long? expectedVersion = null, long? expectedFencingToken = null, TimeSpan? lease = null) => new()
    {
        Operation = KvOperation.CompareAndSwap, Table = table, Key = key, Value = value,
        ExpectedValue = expectedValue, ExpectedVersion = expectedVersion, ExpectedFencingToken = expectedFencingToken,
        LeaseMs = LeaseMs(lease),
    };

    /// <summary>Deletes one key, optionally only at a given version.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the key must be at, or null not to check.</param>
    /// <returns>The command.</returns>
    public static KvCommand Delete(string table, byte[] key, long? expectedVersion = null) => new()
    {
        Operation = KvOperation.Delete, Table = table, Key = key, ExpectedVersion = expectedVersion,
    };

    /// <summary>Releases the sending session's lease on a key.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <returns>The command.</returns>
    public static KvCommand ReleaseLease(string table, byte[] key) =>
        new() { Operation = KvOperation.ReleaseLease, Table = table, Key = key };

    /// <summary>Reads the keys in [<paramref name="startKey"/>, <paramref name="endKey"/>).</summary>
    /// <param name="table">The table.</param>
    /// <param name="startKey">The first key, inclusive (empty for the beginning).</param>
    /// <param name="endKey">The end key, exclusive (null or empty for the end).</param>
    /// <param name="limit">The most items (0 for all).</param>
    /// <param name="descending">Highest keys first.</param>
    /// <returns>The command.</returns>
    public static KvCommand Range(string table, byte[] startKey, byte[]? endKey, int limit = 0, bool descending = false) =>
        new()
        {
            Operation = KvOperation.Range, Table = table, Key = startKey, EndKey = endKey, Limit = limit,
            Descending = descending,
        };

    /// <summary>Reads the keys that start with <paramref name="prefix"/>.</summary>
    /// <param name="table">The table.</param>
    /// <param name="prefix">The prefix (empty for every key).</param>
    /// <param name="limit">The most items (0 for all).</param>
    /// <param name="descending">Highest keys first.</param>
    /// <returns>The command.</returns>
    public static KvCommand PrefixScan(string table, byte[] prefix, int limit = 0, bool descending = false) => new()
    {
        Operation = KvOperation.PrefixScan, Table = table, Key = prefix, Limit = limit, Descending = descending,
    };

    /// <summary>Lists the keys of a table, ascending, without values.</summary>
    /// <param name="table">The table.</param>
    /// <param name="prefix">Only keys with this prefix (null for all).</param>
    /// <param name="limit">The most keys (0 for all).</param>
    /// <returns>The command.</returns>
    public static KvCommand ListKeys(string table, byte[]? prefix = null, int limit = 0) =>
        new() { Operation = KvOperation.ListKeys, Table = table, Key = prefix, Limit = limit };

    /// <summary>Creates a table.</summary>
    /// <param name="table">The name.</param>
    /// <returns>The command.</returns>
    public static KvCommand CreateTable(string table) => new() { Operation = KvOperation.CreateTable, Table = table };

    /// <summary>Drops a table and every key in it.</summary>
    /// <param name="table">The name.</param>
    /// <returns>The command.</returns>
    public static KvCommand DropTable(string table) => new() { Operation = KvOperation.DropTable, Table = table };

    /// <summary>Renames a table.</summary>
    /// <param name="table">The current name.</param>
    /// <param name="newName">The new name (must not exist).</param>
    /// <returns>The command.</returns>
    public static KvCommand RenameTable(string table, string newName) =>
        new() { Operation = KvOperation.RenameTable, Table = table, NewName = newName };

    /// <summary>Lists the tables.</summary>
    /// <returns>The command.</returns>
    public static KvCommand ListTables() => new() { Operation = KvOperation.ListTables };

    /// <summary>A multi-key transaction on one table.</summary>
    /// <param name="table">The table (created by the first put).</param>
    /// <param name="txn">The conditions and the two branches.</param>
    /// <returns>The command.</returns>
    public static KvCommand Txn(string table, KvTxn txn) => new() { Operation = KvOperation.Txn, Table = table, Txn = txn };

    /// <summary>Reads a session's state and the keys of <paramref name="table"/> it owns.</summary>
    /// <param name="table">The table.</param>
    /// <param name="session">The session id.</param>
    /// <returns>The command.</returns>
    public static KvCommand SessionKeys(string table, long session) =>
        new() { Operation = KvOperation.SessionKeys, Table = table, Owner = session };

    /// <summary>The lease in whole milliseconds (rounded up), 0 for none. A lease that is not positive is refused
    /// here: on the wire 0 means "no lease", so a zero lease would otherwise turn silently into a plain write.</summary>
    private static long LeaseMs(TimeSpan? lease)
    {
        if (lease is not { } d)
        {
            return 0;
        }

        if (d <= TimeSpan.Zero)
        {
            throw new Errors.InvalidCommandException(
                $"A lease must be positive; got {d}. Pass no lease (null) for a write that takes none.");
        }

        return (long)Math.Ceiling(d.TotalMilliseconds);
    }
}
