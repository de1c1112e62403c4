namespace Rpc25519.Tube.StateMachines.Changes;

/// <summary>Which changes a watcher wants: from one machine, one table, keys under one prefix. Null parts match
/// everything. Table-level changes (created, dropped, renamed) match any key prefix of their table.</summary>
/// <param name="Machine">The machine name, or null for all.</param>
/// <param name="Table">The table, or null for all. A rename is reported under the old name.</param>
/// <param name="KeyPrefix">The key prefix (a whole key watches one key), or null for all keys.</param>
public sealed record ChangeFilter(string? Machine = null, string? Table = null, byte[]? KeyPrefix = null)
{
    /// <summary>Whether <paramref name="change"/> is wanted.</summary>
    /// <param name="change">A change from the feed.</param>
    /// <returns>True when every given part matches.</returns>
    public bool Matches(ChangeEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return (Machine is null || string.Equals(Machine, change.Machine, StringComparison.Ordinal)) &&
               (Table is null || string.Equals(Table, change.Table, StringComparison.Ordinal)) &&
               (KeyPrefix is null || change.Key.Length == 0 || change.Key.AsSpan().StartsWith(KeyPrefix));
    }
}
