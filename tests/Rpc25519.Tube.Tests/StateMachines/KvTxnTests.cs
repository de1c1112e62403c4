using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>Multi-key transactions and owned keys (what the etcd v3 endpoint is built on). Pure and fast, but run in
/// the whole-stack collection: while they ran in the parallel phase, the whole-stack soak's process-wide real-timer
/// escape check failed in most full runs of this assembly (and never with them left out or moved here). The cause was
/// not found; see the branch's report.</summary>
[Collection(Rpc25519.Tube.Tests.Integration.WholeStackCollection.Name)]
public class KvTxnTests
{
    private readonly MachineDriver driver = new();

    private static KvTxnOp Put(string key, string value, long owner = 0) =>
        new() { Kind = KvTxnOpKind.Put, Key = Of(key), Value = Of(value), Owner = owner, WithPrevious = true };

    private static KvTxnOp One(string key) => new() { Kind = KvTxnOpKind.Range, Key = Of(key), EndKey = Of(key + "\0") };

    private KvResult Txn(KvTxn txn) => driver.Kv(KvCommands.Txn("etcd", txn));

    [Fact]
    public void PutsCarryVersionsAndIndexesAndReturnThePreviousItem()
    {
        var first = Txn(new KvTxn { Success = [Put("a", "1")] });
        Assert.True(first.Succeeded);
        Assert.Equal(driver.Index, first.Revision);
        Assert.False(first.Results![0].Found);
        long created = driver.Index;

        var second = Txn(new KvTxn { Success = [Put("a", "2")] });
        Assert.Equal("1", Text(second.Results![0].Item!.Value));
        Assert.Equal(1, second.Results[0].Item!.Version);

        var read = driver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [One("a")] }));
        var item = Assert.Single(read.Results![0].Items!);
        Assert.Equal(("2", 2L, created, driver.Index), (Text(item.Value), item.Version, item.CreateIndex, item.ModifyIndex));
        Assert.Equal(driver.Index, read.Revision);
    }

    [Fact]
    public void ComparesChooseTheBranchAndAMissingKeyNeverMatchesAValue()
    {
        Txn(new KvTxn { Success = [Put("k", "v")] });
        long mod = driver.Index;
        var compares = new List<KvCompare>
        {
            new() { Key = Of("k"), Target = KvCompareTarget.Value, Value = Of("v") },
            new() { Key = Of("k"), Target = KvCompareTarget.Version, Number = 1 },
            new() { Key = Of("k"), Target = KvCompareTarget.ModifyIndex, Result = KvCompareResult.Less, Number = mod + 1 },
            new() { Key = Of("k"), Target = KvCompareTarget.CreateIndex, Result = KvCompareResult.Greater, Number = 0 },
            new() { Key = Of("k"), Target = KvCompareTarget.Value, Result = KvCompareResult.NotEqual, Value = Of("w") },
        };
        var ok = Txn(new KvTxn { Compares = compares, Success = [Put("k", "yes")], Failure = [Put("k", "no")] });
        Assert.True(ok.Succeeded);

        var missing = Txn(new KvTxn
        {
            Compares = [new() { Key = Of("absent"), Target = KvCompareTarget.Value, Result = KvCompareResult.NotEqual, Value = Of("x") }],
            Success = [Put("k", "yes")], Failure = [One("k")],
        });
        Assert.False(missing.Succeeded);
        Assert.Equal("yes", Text(Assert.Single(missing.Results![0].Items!).Value));

        var absentVersion = Txn(new KvTxn
        {
            Compares = [new() { Key = Of("absent"), Target = KvCompareTarget.Version, Number = 0 }],
            Success = [Put("absent", "created")],
        });
        Assert.True(absentVersion.Succeeded);
    }

    [Fact]
    public void RangesCountEveryKeyPastTheLimitAndDeleteRangeRemovesTheRange()
    {
        Txn(new KvTxn { Success = [Put("p/1", "a"), Put("p/2", "b"), Put("p/3", "c"), Put("q", "d")] });
        var range = driver.Query(KvCommands.Txn("etcd", new KvTxn
        {
            Success = [new() { Kind = KvTxnOpKind.Range, Key = Of("p/"), EndKey = Of("p0"), Limit = 2, Descending = true }],
        })).Results![0];
        Assert.Equal(3, range.Count);
        Assert.True(range.More);
        Assert.Equal(["p/3", "p/2"], range.Items!.Select(i => Text(i.Key)));

        var deleted = Txn(new KvTxn
        {
            Success = [new() { Kind = KvTxnOpKind.DeleteRange, Key = Of("p/"), EndKey = Of("p0"), WithPrevious = true }],
        }).Results![0];
        Assert.Equal(3, deleted.Count);
        Assert.Equal(["a", "b", "c"], deleted.Items!.Select(i => Text(i.Value)));
        var rest = driver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [new() { Kind = KvTxnOpKind.Range, Key = Of("\0") }] }));
        Assert.Equal(["q"], rest.Results![0].Items!.Select(i => Text(i.Key)));
    }

    [Fact]
    public void ARangeOnAMissingTableIsEmptyAndAReadOnlyQueryRefusesWrites()
    {
        var empty = driver.Query(KvCommands.Txn("nothing", new KvTxn { Success = [One("k")] }));
        Assert.Equal(0, empty.Results![0].Count);
        var e = Assert.Throws<InvalidCommandException>(() => driver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [Put("k", "v")] })));
        Assert.Contains("send it as a replicated command", e.Message);
    }

    [Fact]
    public void BadOperationsAreRefusedBeforeAnythingChanges()
    {
        Assert.Throws<InvalidCommandException>(() => Txn(new KvTxn { Success = [Put("ok", "1"), Put("", "empty key")] }));
        Assert.Throws<OwnerSessionNotFoundException>(() => Txn(new KvTxn { Success = [Put("ok", "1"), Put("k", "v", owner: 999)] }));
        Assert.Throws<InvalidCommandException>(() => Txn(new KvTxn
        {
            Success = [new() { Kind = KvTxnOpKind.Put, Key = Of("absent"), KeepValue = true }],
        }));
        Assert.Throws<InvalidCommandException>(() => Txn(new KvTxn
        {
            Success = [new() { Kind = KvTxnOpKind.Range, Key = Of("a"), Limit = -1 }],
        }));
        Assert.Throws<InvalidCommandException>(() => driver.Kv(new KvCommand { Operation = KvOperation.Txn, Table = "etcd" }));
        // Nothing of the refused transactions was written, not even the table.
        Assert.Empty(driver.Query(KvCommands.ListTables()).Tables!);
    }

    [Fact]
    public void OwnedKeysAreDeletedWhenTheOwnerSessionEndsAndTheFeedShowsTheDeletes()
    {
        var lease = driver.OpenSession(TimeSpan.FromSeconds(5));
        Txn(new KvTxn { Success = [Put("a", "1", lease.Id), Put("b", "2", lease.Id), Put("c", "3")] });
        var info = driver.Query(KvCommands.SessionKeys("etcd", lease.Id));
        Assert.Equal(["a", "b"], info.Keys!.Select(Text));
        Assert.Equal(5000, info.Session!.TimeoutMs);
        Assert.Equal(lease.Id, driver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [One("a")] })).Results![0].Items![0].Owner);

        // A put without an owner detaches the key; one with KeepOwner keeps it.
        Txn(new KvTxn { Success = [Put("b", "2b")] });
        Txn(new KvTxn { Success = [new() { Kind = KvTxnOpKind.Put, Key = Of("a"), Value = Of("1b"), KeepOwner = true }] });

        long from = driver.Index + 1;
        driver.Advance(TimeSpan.FromSeconds(6));
        driver.Send(TubeCommand.Tick());
        var left = driver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [new() { Kind = KvTxnOpKind.Range, Key = Of("\0") }] }));
        Assert.Equal(["b", "c"], left.Results![0].Items!.Select(i => Text(i.Key)));
        Assert.Null(driver.Query(KvCommands.SessionKeys("etcd", lease.Id)).Session);
        var deletes = driver.Set.Changes.Read(from, 100, new ChangeFilter()).Changes.Where(c => c.Kind == ChangeKind.Delete);
        Assert.Equal(["a"], deletes.Select(c => Text(c.Key)));
    }

    [Fact]
    public void ClosingTheOwnerDeletesItsKeysAndSnapshotsKeepOwners()
    {
        var lease = driver.OpenSession();
        Txn(new KvTxn { Success = [Put("x", "1", lease.Id)] });
        var copy = StateMachineSet.WithKv();
        using (var snapshot = new MemoryStream())
        {
            driver.Set.WriteSnapshot(snapshot);
            snapshot.Position = 0;
            copy.RestoreSnapshot(snapshot);
        }

        Assert.Equal(driver.Set.ComputeStateHash(), copy.ComputeStateHash());
        lease.Close();
        var copyDriver = new MachineDriver(copy);
        Assert.Empty(driver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [One("x")] })).Results![0].Items!);
        // The restored copy still knows the owner: closing there deletes the key too.
        copy.Apply(driver.Index, driver.TimeMs, driver.Log[^1].Command);
        Assert.Empty(copyDriver.Query(KvCommands.Txn("etcd", new KvTxn { Success = [One("x")] })).Results![0].Items!);
        Assert.Equal(driver.Set.ComputeStateHash(), copy.ComputeStateHash());
    }
}
