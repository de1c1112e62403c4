using System.Text;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Table operations: create, drop, rename.</summary>
public sealed partial class KvStateMachine
{
    private KvResult CreateTable(ApplyContext context, KvCommand c)
    {
        string name = ValidTableName(c.Table);
        EnsureAbsent(name);
        EnsureRoomToGrow();
        AddTable(context, name);
        return new KvResult { Found = true };
    }

    private KvResult DropTable(ApplyContext context, KvCommand c)
    {
        var table = RequireTable(c.Table);
        EnsureNoForeignLeases(table, context.SessionId, context.LogTimeMs);
        foreach (var record in table.All)
        {
            ClearLease(record);
            ForgetOwner(record);
        }

        tables.Remove(table.Name);
        context.RecordChange(table.Name, [], ChangeKind.TableDropped, 0, null);
        return new KvResult { Found = true };
    }

    private KvResult RenameTable(ApplyContext context, KvCommand c)
    {
        var table = RequireTable(c.Table);
        string newName = ValidTableName(c.NewName);
        EnsureAbsent(newName);
        EnsureNoForeignLeases(table, context.SessionId, context.LogTimeMs);
        string oldName = table.Name;
        tables.Remove(oldName);
        table.Name = newName;
        tables.Add(newName, table);
        context.RecordChange(oldName, [], ChangeKind.TableRenamed, 0, Encoding.UTF8.GetBytes(newName));
        return new KvResult { Found = true };
    }

    private KvTable AddTable(ApplyContext context, string name)
    {
        var table = new KvTable(nextTableId++, name);
        tables.Add(name, table);
        context.RecordChange(name, [], ChangeKind.TableCreated, 0, null);
        return table;
    }

    private void EnsureAbsent(string name)
    {
        if (tables.ContainsKey(name))
        {
            throw new TableExistsException($"Table '{name}' already exists; use it, drop it first, or pick another name.");
        }
    }
}
