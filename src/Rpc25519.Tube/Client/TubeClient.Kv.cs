using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Client;

/// <summary>The key/value store ("kv" machine).</summary>
public sealed partial class TubeClient
{
    /// <summary>The registered name of the key/value machine.</summary>
    public const string KvMachine = "kv";

    /// <summary>Reads a key.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="mode">How fresh the answer must be; linearizable by default.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The item with its value and bookkeeping, or null when the key is absent.</returns>
    /// <exception cref="StateMachines.Errors.TableNotFoundException">The table does not exist.</exception>
    public async Task<KvItem?> GetAsync(string table, byte[] key, ReadMode mode = ReadMode.Linearizable,
        CancellationToken cancellationToken = default)
    {
        KvResult result = await KvReadAsync(KvCommands.Get(table, key), mode, cancellationToken);
        return result.Found ? result.Item : null;
    }

    /// <summary>Writes a key (creating the table if needed), optionally taking or renewing a lease for this
    /// client's session.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (at most the cluster's MaxValueBytes).</param>
    /// <param name="lease">A lease to take or renew, or null.</param>
    /// <param name="cancellationToken">Cancels the wait (the write may still be applied, once).</param>
    /// <returns>The key's new bookkeeping (version, indexes, lease and fencing token; no value).</returns>
    /// <exception cref="StateMachines.Errors.KeyLeasedException">Another session holds a lease on the key.</exception>
    /// <exception cref="StateMachines.Errors.ValueTooLargeException">The value or key is too large.</exception>
    /// <exception cref="StateMachines.Errors.InvalidCommandException">The lease is zero, negative or longer than the
    /// cluster's MaxLeaseDuration, or the key or table name is empty.</exception>
    public async Task<KvItem> PutAsync(string table, byte[] key, byte[] value, TimeSpan? lease = null,
        CancellationToken cancellationToken = default) =>
        (await KvWriteAsync(KvCommands.Put(table, key, value, lease), cancellationToken)).Item!;

    /// <summary>Writes a key only if every given condition holds (at least one is required).</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expectedValue">The value the key must hold, or null.</param>
    /// <param name="expectedVersion">The version the key must have (0: must not exist), or null.</param>
    /// <param name="expectedFencingToken">No lease newer than this token may have been granted, or null.</param>
    /// <param name="lease">A lease to take or renew, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The key's new bookkeeping.</returns>
    /// <exception cref="StateMachines.Errors.CasMismatchException">A condition did not hold; it carries the key as it
    /// is now. Conditions are checked before leases: a holder fenced off by an old token gets this, not
    /// <see cref="StateMachines.Errors.KeyLeasedException"/>.</exception>
    /// <exception cref="StateMachines.Errors.KeyLeasedException">Every condition held, but another session holds a
    /// lease on the key.</exception>
    public async Task<KvItem> CompareAndSwapAsync(string table, byte[] key, byte[] value, byte[]? expectedValue = null,
        long? expectedVersion = null, long? expectedFencingToken = null, TimeSpan? lease = null,
        CancellationToken cancellationToken = default) =>
        (await KvWriteAsync(KvCommands.CompareAndSwap(table, key, value, expectedValue, expectedVersion,
            expectedFencingToken, lease), cancellationToken)).Item!;

    /// <summary>Deletes a key.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the key must have, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The item as it was, or null when the key was absent.</returns>
    public async Task<KvItem?> DeleteAsync(string table, byte[] key, long? expectedVersion = null,
        CancellationToken cancellationToken = default)
    {
        KvResult result = await KvWriteAsync(KvCommands.Delete(table, key, expectedVersion), cancellationToken);
        return result.Found ? result.Item : null;
    }

    /// <summary>Gives up this session's lease on a key; the key stays.</summary>
    /// <param name="table">The table.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the release is applied.</returns>
    /// <exception cref="StateMachines.Errors.NotLeaseHolderException">This session holds no active lease on the key
    /// (it ended, another session holds it, or none was taken).</exception>
    public Task ReleaseLeaseAsync(string table, byte[] key, CancellationToken cancellationToken = default) =>
        KvWriteAsync(KvCommands.ReleaseLease(table, key), cancellationToken);

    /// <summary>Reads the keys in [start, end) in either order.</summary>
    /// <param name="table">The table.</param>
    /// <param name="startKey">The first key (empty: the beginning).</param>
    /// <param name="endKey">The end, excluded (null or empty: the end of the table).</param>
    /// <param name="limit">At most this many items (0: no limit); <see cref="KvResult.More"/> says when cut.</param>
    /// <param name="descending">Highest keys first.</param>
    /// <param name="mode">How fresh the answer must be.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The items in <see cref="KvResult.Items"/>; none when the end is at or before the start.</returns>
    /// <exception cref="StateMachines.Errors.InvalidCommandException">The limit is negative.</exception>
    /// <exception cref="StateMachines.Errors.TableNotFoundException">The table does not exist.</exception>
    public Task<KvResult> RangeAsync(string table, byte[] startKey, byte[]? endKey, int limit = 0,
        bool descending = false, ReadMode mode = ReadMode.Linearizable, CancellationToken cancellationToken = default) =>
        KvReadAsync(KvCommands.Range(table, startKey, endKey, limit, descending), mode, cancellationToken);

    /// <summary>Reads the keys that start with <paramref name="prefix"/>.</summary>
    /// <param name="table">The table.</param>
    /// <param name="prefix">The prefix.</param>
    /// <param name="limit">At most this many items (0: no limit).</param>
    /// <param name="descending">Highest keys first.</param>
    /// <param name="mode">How fresh the answer must be.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The items in <see cref="KvResult.Items"/>.</returns>
    public Task<KvResult> PrefixScanAsync(string table, byte[] prefix, int limit = 0, bool descending = false,
        ReadMode mode = ReadMode.Linearizable, CancellationToken cancellationToken = default) =>
        KvReadAsync(KvCommands.PrefixScan(table, prefix, limit, descending), mode, cancellationToken);

    /// <summary>Lists keys (no values), ascending.</summary>
    /// <param name="table">The table.</param>
    /// <param name="prefix">Only keys with this prefix, or null for all.</param>
    /// <param name="limit">At most this many (0: no limit).</param>
    /// <param name="mode">How fresh the answer must be.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The keys in <see cref="KvResult.Keys"/>.</returns>
    public Task<KvResult> ListKeysAsync(string table, byte[]? prefix = null, int limit = 0,
        ReadMode mode = ReadMode.Linearizable, CancellationToken cancellationToken = default) =>
        KvReadAsync(KvCommands.ListKeys(table, prefix, limit), mode, cancellationToken);

    /// <summary>Creates a table.</summary>
    /// <param name="table">The name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the table exists.</returns>
    /// <exception cref="StateMachines.Errors.TableExistsException">It exists already.</exception>
    public Task CreateTableAsync(string table, CancellationToken cancellationToken = default) =>
        KvWriteAsync(KvCommands.CreateTable(table), cancellationToken);

    /// <summary>Drops a table and its keys.</summary>
    /// <param name="table">The name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the table is gone.</returns>
    /// <exception cref="StateMachines.Errors.TableNotFoundException">The table does not exist.</exception>
    /// <exception cref="StateMachines.Errors.KeyLeasedException">Another session leases one of its keys.</exception>
    public Task DropTableAsync(string table, CancellationToken cancellationToken = default) =>
        KvWriteAsync(KvCommands.DropTable(table), cancellationToken);

    /// <summary>Renames a table.</summary>
    /// <param name="table">The current name.</param>
    /// <param name="newName">The new name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the rename is applied.</returns>
    /// <exception cref="StateMachines.Errors.TableNotFoundException">The table does not exist.</exception>
    /// <exception cref="StateMachines.Errors.TableExistsException">A table named <paramref name="newName"/>
    /// exists.</exception>
    /// <exception cref="StateMachines.Errors.KeyLeasedException">Another session leases one of its keys.</exception>
    public Task RenameTableAsync(string table, string newName, CancellationToken cancellationToken = default) =>
        KvWriteAsync(KvCommands.RenameTable(table, newName), cancellationToken);

    /// <summary>Lists the tables.</summary>
    /// <param name="mode">How fresh the answer must be.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The table names, ordinal order.</returns>
    public async Task<IReadOnlyList<string>> ListTablesAsync(ReadMode mode = ReadMode.Linearizable,
        CancellationToken cancellationToken = default) =>
        (await KvReadAsync(KvCommands.ListTables(), mode, cancellationToken)).Tables ?? [];

    private async Task<KvResult> KvWriteAsync(KvCommand command, CancellationToken cancellationToken) =>
        KvResult.FromBytes(await ExecuteAsync(KvMachine, command.ToBytes(), cancellationToken));

    private async Task<KvResult> KvReadAsync(KvCommand command, ReadMode mode, CancellationToken cancellationToken) =>
        KvResult.FromBytes(await QueryAsync(KvMachine, command.ToBytes(), mode, cancellationToken));
}
