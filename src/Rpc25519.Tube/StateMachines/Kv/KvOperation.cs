namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>What a <see cref="KvCommand"/> does.</summary>
public enum KvOperation
{
    /// <summary>Read one key.</summary>
    Get = 0,

    /// <summary>Write one key (creating the table if needed), optionally taking or renewing a lease; conditions, if
    /// given, are checked as in <see cref="CompareAndSwap"/>.</summary>
    Put = 1,

    /// <summary>Delete one key; conditions, if given, are checked first.</summary>
    Delete = 2,

    /// <summary>Write one key only if every given condition (value, version, fencing token) holds.</summary>
    CompareAndSwap = 3,

    /// <summary>Read the keys in [Key, EndKey), ascending or descending, up to a limit.</summary>
    Range = 4,

    /// <summary>Read the keys that start with a prefix, ascending or descending, up to a limit.</summary>
    PrefixScan = 5,

    /// <summary>List the keys of a table (optionally under a prefix), without values.</summary>
    ListKeys = 6,

    /// <summary>Create a table.</summary>
    CreateTable = 7,

    /// <summary>Drop a table with every key in it.</summary>
    DropTable = 8,

    /// <summary>Rename a table.</summary>
    RenameTable = 9,

    /// <summary>List the tables.</summary>
    ListTables = 10,

    /// <summary>Release this session's lease on a key (the key stays).</summary>
    ReleaseLease = 11,

    /// <summary>A multi-key transaction (<see cref="KvCommand.Txn"/>); a read-only one may be sent as a query.</summary>
    Txn = 12,

    /// <summary>Read a session (<see cref="KvCommand.Owner"/>) and the keys of a table it owns.</summary>
    SessionKeys = 13,
}
