using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

public class ChangeFeedTests
{
    [Fact]
    public void ChangesComeInLogOrderWithVersionsAndIndexes()
    {
        var driver = new MachineDriver();
        driver.Kv(KvCommands.Put("t", Of("a"), Of("1")));
        driver.Kv(KvCommands.Put("t", Of("a"), Of("2")));
        driver.Kv(KvCommands.Delete("t", Of("a")));
        driver.Kv(KvCommands.RenameTable("t", "u"));
        driver.Kv(KvCommands.DropTable("u"));

        var page = driver.Set.Changes.Read(1);
        Assert.Equal(
            [ChangeKind.TableCreated, ChangeKind.Put, ChangeKind.Put, ChangeKind.Delete, ChangeKind.TableRenamed,
                ChangeKind.TableDropped],
            page.Changes.Select(c => c.Kind));
        Assert.Equal([1L, 1, 2, 3, 4, 5], page.Changes.Select(c => c.Index));
        Assert.Equal([0L, 1, 2, 0, 0, 0], page.Changes.Select(c => c.Version));
        Assert.Equal("2", Text(page.Changes[2].Value));
        Assert.Equal("u", Text(page.Changes[4].Value));
        Assert.Equal(6, page.NextIndex);
        Assert.Equal(KvStateMachine.DefaultName, page.Changes[0].Machine);
    }

    [Fact]
    public void ReadersResumeFromAnIndexAndPagesNeverSplitAnIndex()
    {
        var driver = new MachineDriver();
        var session = driver.OpenSession(TimeSpan.FromSeconds(5));
        for (int i = 0; i < 3; i++)
        {
            session.Kv(KvCommands.Put("t", Of("k" + i), Of("v"), TimeSpan.FromMinutes(1)));
        }

        driver.Advance(TimeSpan.FromSeconds(6));
        driver.Kv(KvCommands.Put("t", Of("z"), Of("v")));
        long expiryIndex = driver.Index;

        var resumed = driver.Set.Changes.Read(3);
        Assert.All(resumed.Changes, c => Assert.True(c.Index >= 3));
        var page = driver.Set.Changes.Read(expiryIndex, maxChanges: 1);
        Assert.Equal(4, page.Changes.Count);
        Assert.Equal(3, page.Changes.Count(c => c.Kind == ChangeKind.LeaseReleased));
        Assert.Equal(expiryIndex + 1, page.NextIndex);

        var first = driver.Set.Changes.Read(1, maxChanges: 2);
        Assert.Equal(2, first.Changes.Count);
        var rest = driver.Set.Changes.Read(first.NextIndex);
        Assert.Equal(driver.Set.Changes.Count, first.Changes.Count + rest.Changes.Count);
        Assert.Empty(driver.Set.Changes.Read(driver.Index + 1).Changes);
    }

    [Fact]
    public void TheFeedIsBoundedAndOldReadersAreToldWhereToResync()
    {
        var driver = new MachineDriver(StateMachineSet.WithKv(new StateMachineOptions { ChangeFeedMaxEvents = 4 }));
        for (int i = 0; i < 10; i++)
        {
            driver.Kv(KvCommands.Put("t", Of("k"), Of("v" + i)));
        }

        Assert.Equal(4, driver.Set.Changes.Count);
        var page = driver.Set.Changes.Read(2);
        Assert.True(page.IsCompacted);
        Assert.Equal(driver.Index, page.ResyncIndex);
        Assert.Equal(7, page.OldestAvailableIndex);
        var e = Assert.Throws<ChangeFeedCompactedException>(() => page.ThrowIfCompacted());
        Assert.Contains($"index {driver.Index + 1}", e.Message);
        Assert.Equal(TubeErrorCode.ChangeFeedCompacted, Assert.IsAssignableFrom<TubeException>(e).ErrorCode);

        var available = driver.Set.Changes.Read(7).ThrowIfCompacted();
        Assert.Equal([7L, 8, 9, 10], available.Changes.Select(c => c.Index));
    }

    [Fact]
    public void TheFeedIsBoundedByBytes()
    {
        var driver = new MachineDriver(StateMachineSet.WithKv(new StateMachineOptions { ChangeFeedMaxBytes = 3000 }));
        for (int i = 0; i < 10; i++)
        {
            driver.Kv(KvCommands.Put("t", Of("k"), new byte[1000]));
        }

        Assert.InRange(driver.Set.Changes.Count, 1, 3);
        Assert.True(driver.Set.Changes.Read(1).IsCompacted);
    }

    [Fact]
    public void AfterRestoreTheFeedStartsAtTheSnapshotIndex()
    {
        var driver = new MachineDriver();
        driver.Kv(KvCommands.Put("t", Of("k"), Of("v")));
        driver.Kv(KvCommands.Put("t", Of("k"), Of("w")));
        using var stream = new MemoryStream();
        driver.Set.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = StateMachineSet.WithKv();
        restored.RestoreSnapshot(stream);

        Assert.True(restored.Changes.Read(1).IsCompacted);
        Assert.Equal(2, restored.Changes.Read(1).ResyncIndex);
        var page = restored.Changes.Read(3);
        Assert.False(page.IsCompacted);
        Assert.Empty(page.Changes);
        restored.Apply(3, driver.TimeMs, TubeCommand.ForMachine(KvStateMachine.DefaultName, 0, 0,
            KvCommands.Put("t", Of("k"), Of("x")).ToBytes()).ToBytes());
        Assert.Equal(3, Assert.Single(restored.Changes.Read(3).Changes).Version);
    }

    [Fact]
    public void RefusedCommandsRecordNoChange()
    {
        var driver = new MachineDriver();
        Assert.Throws<CasMismatchException>(
            () => driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("v"), expectedVersion: 1)));
        Assert.Empty(driver.Set.Changes.Read(1).Changes);
        Assert.Equal(2, driver.Set.Changes.Read(1).NextIndex);
    }

    [Fact]
    public void FiltersSelectATableAndAKeyPrefix()
    {
        var driver = new MachineDriver();
        driver.Kv(KvCommands.Put("t", Of("user/1"), Of("a")));
        driver.Kv(KvCommands.Put("t", Of("order/1"), Of("b")));
        driver.Kv(KvCommands.Put("u", Of("user/2"), Of("c")));
        driver.Kv(KvCommands.Put("t", Of("user/3"), Of("d")));

        var users = driver.Set.Changes.Read(1, filter: new ChangeFilter(Table: "t", KeyPrefix: Of("user/")));
        Assert.Equal([ChangeKind.TableCreated, ChangeKind.Put, ChangeKind.Put], users.Changes.Select(c => c.Kind));
        Assert.Equal(["", "user/1", "user/3"], users.Changes.Select(c => Text(c.Key)));
        Assert.Equal(driver.Index + 1, users.NextIndex);

        var page = driver.Set.Changes.Read(2, maxChanges: 1, filter: new ChangeFilter(KeyPrefix: Of("user/")));
        Assert.Equal("user/2", Text(Assert.Single(page.Changes, c => c.Kind == ChangeKind.Put).Key));
        Assert.Equal(4, page.NextIndex);
        Assert.Empty(driver.Set.Changes.Read(1, filter: new ChangeFilter(Machine: "ledger")).Changes);
    }

    [Fact]
    public void TicksMoveLogTimeSoIdleSessionsExpireWithoutWrites()
    {
        var driver = new MachineDriver();
        var session = driver.OpenSession(TimeSpan.FromSeconds(5));
        session.Kv(KvCommands.Put("t", Of("k"), Of("v"), TimeSpan.FromMinutes(1)));
        driver.Advance(TimeSpan.FromSeconds(6));
        driver.Send(TubeCommand.Tick()).ThrowIfError();

        Assert.Equal(0, driver.Set.SessionCount);
        var released = driver.Set.Changes.Read(driver.Index).Changes;
        Assert.Equal(ChangeKind.LeaseReleased, Assert.Single(released).Kind);
        Assert.Equal(0, driver.Query(KvCommands.Get("t", Of("k"))).Item!.LeaseSession);
    }
}
