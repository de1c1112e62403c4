using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Argument checks, done before any state changes.</summary>
public sealed partial class KvStateMachine
{
    private static string ValidTableName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxTableNameLength)
        {
            throw new InvalidCommandException(
                $"A table name must have 1 to {MaxTableNameLength} characters; got {name?.Length ?? 0}.");
        }

        return name;
    }

    private byte[] ValidKey(byte[]? key)
    {
        if (key is null || key.Length == 0)
        {
            throw new InvalidCommandException("A key must not be empty; the empty key stands for the start of a range.");
        }

        if (key.Length > options.MaxKeyBytes)
        {
            throw new ValueTooLargeException(
                $"The key has {key.Length} bytes, more than the {options.MaxKeyBytes}-byte limit; use a shorter key " +
                "or raise StateMachineOptions.MaxKeyBytes on every replica.");
        }

        return key;
    }

    private byte[] ValidValue(byte[]? value)
    {
        value ??= [];
        if (value.Length > options.MaxValueBytes)
        {
            throw new ValueTooLargeException(
                $"The value has {value.Length} bytes, more than the {options.MaxValueBytes}-byte limit; split it " +
                "over several keys or raise StateMachineOptions.MaxValueBytes on every replica.");
        }

        return value;
    }

    private long ValidLease(long leaseMs, long sessionId)
    {
        if (leaseMs == 0)
        {
            return 0;
        }

        long maxMs = (long)options.MaxLeaseDuration.TotalMilliseconds;
        if (leaseMs < 0 || leaseMs > maxMs)
        {
            throw new InvalidCommandException(
                $"A lease must last between 1 and {maxMs} ms; got {leaseMs} ms.");
        }

        if (sessionId == 0)
        {
            throw new InvalidCommandException(
                "A lease belongs to a client session; send the leased write inside a session.");
        }

        return leaseMs;
    }

    private KvTable RequireTable(string? name) =>
        tables.TryGetValue(ValidTableName(name), out var table)
            ? table
            : throw new TableNotFoundException(
                $"Table '{name}' does not exist; create it, or write a key to it (which creates it).");

    private static void CheckConditions(KvCommand c, KvRecord? record, string table, long nowMs)
    {
        // Named only when a condition fails: every write passes here, most with no condition at all.
        string Where() => $"key {ByteKeys.Display(c.Key ?? [])} in table '{table}'";
        if (c.ExpectedVersion is long version && (record?.Version ?? 0) != version)
        {
            throw new CasMismatchException(
                $"Expected {Where()} at version {version} but it is at version {record?.Version ?? 0} (0 = absent); " +
                "read it again and retry with the current version.", record?.ToItem(nowMs, withValue: true));
        }

        if (c.ExpectedFencingToken is long token && (record?.FencingToken ?? 0) != token)
        {
            throw new CasMismatchException(
                $"Expected {Where()} to carry fencing token {token} but it carries {record?.FencingToken ?? 0}: a " +
                "newer lease was granted, so this writer is fenced off.", record?.ToItem(nowMs, withValue: true));
        }

        if (c.ExpectedValue is byte[] expected && (record is null || !record.Value.AsSpan().SequenceEqual(expected)))
        {
            throw new CasMismatchException(
                $"The value of {Where()} is not the expected one ({(record is null ? "the key is absent" : $"it holds {record.Value.Length} bytes")}); " +
                "read it again and retry with the current value.", record?.ToItem(nowMs, withValue: true));
        }
    }
}
