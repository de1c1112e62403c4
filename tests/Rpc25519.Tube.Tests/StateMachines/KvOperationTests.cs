using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

public class KvOperationTests
{
    private readonly MachineDriver driver = new();

    [Fact]
    public void PutThenGetReturnsValueWithVersionAndIndexes()
    {
        var put = driver.Kv(KvCommands.Put("t", Of("a"), Of("1")));
        Assert.Equal(1, put.Item!.Version);
        Assert.Equal(1, put.Item.CreateIndex);
        Assert.Equal(1, put.Item.ModifyIndex);
        Assert.Null(put.Item.Value);

        driver.Kv(KvCommands.Put("t", Of("b"), Of("x")));
        driver.Kv(KvCommands.Put("t", Of("a"), Of("2")));

        var get = driver.Kv(KvCommands.Get("t", Of("a")));
        Assert.True(get.Found);
        Assert.Equal("2", Text(get.Item!.Value));
        Assert.Equal(2, get.Item.Version);
        Assert.Equal(1, get.Item.CreateIndex);
        Assert.Equal(3, get.Item.ModifyIndex);
    }

    [Fact]
    public void GetMissingKeyIsNotFoundAndMissingTableIsTyped()
    {
        driver.Kv(KvCommands.CreateTable("t"));
        Assert.False(driver.Kv(KvCommands.Get("t", Of("nope"))).Found);
        var e = Assert.Throws<TableNotFoundException>(() => driver.Kv(KvCommands.Get("other", Of("k"))));
        Assert.Contains("create it", e.Message);
    }

    [Fact]
    public void DeleteRemovesKeyAndVersionRestartsOnRecreate()
    {
        driver.Kv(KvCommands.Put("t", Of("k"), Of("1")));
        driver.Kv(KvCommands.Put("t", Of("k"), Of("2")));
        var deleted = driver.Kv(KvCommands.Delete("t", Of("k")));
        Assert.True(deleted.Found);
        Assert.Equal("2", Text(deleted.Item!.Value));
        Assert.False(driver.Kv(KvCommands.Get("t", Of("k"))).Found);
        Assert.False(driver.Kv(KvCommands.Delete("t", Of("k"))).Found);

        var again = driver.Kv(KvCommands.Put("t", Of("k"), Of("3")));
        Assert.Equal(1, again.Item!.Version);
        Assert.Equal(driver.Index, again.Item.CreateIndex);
    }

    [Fact]
    public void CompareAndSwapOnValueAndVersion()
    {
        driver.Kv(KvCommands.Put("t", Of("k"), Of("old")));
        var swapped = driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("new"), expectedValue: Of("old")));
        Assert.Equal(2, swapped.Item!.Version);

        var byValue = Assert.Throws<CasMismatchException>(
            () => driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("x"), expectedValue: Of("old"))));
        Assert.Equal("new", Text(byValue.Current!.Value));

        var byVersion = Assert.Throws<CasMismatchException>(
            () => driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("x"), expectedVersion: 1)));
        Assert.Equal(2, byVersion.Current!.Version);
        Assert.Contains("version 2", byVersion.Message);

        driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("v3"), expectedVersion: 2));
        Assert.Equal("v3", Text(driver.Kv(KvCommands.Get("t", Of("k"))).Item!.Value));
    }

    [Fact]
    public void CompareAndSwapVersionZeroMeansAbsent()
    {
        driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("first"), expectedVersion: 0));
        var e = Assert.Throws<CasMismatchException>(
            () => driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("second"), expectedVersion: 0)));
        Assert.NotNull(e.Current);
        Assert.Throws<CasMismatchException>(
            () => driver.Kv(KvCommands.CompareAndSwap("t", Of("absent"), Of("x"), expectedValue: Of(""))));
    }

    [Fact]
    public void CompareAndSwapWithoutConditionIsRefused() =>
        Assert.Throws<InvalidCommandException>(() => driver.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("v"))));

    [Fact]
    public void FailedCasLeavesStateUntouched()
    {
        driver.Kv(KvCommands.CreateTable("t"));
        string before = driver.Set.ComputeStateHash();
        Assert.Throws<CasMismatchException>(
            () => driver.Kv(KvCommands.CompareAndSwap("new-table", Of("k"), Of("v"), expectedVersion: 5)));
        Assert.Throws<TableNotFoundException>(() => driver.Kv(KvCommands.Get("new-table", Of("k"))));
        var again = new MachineDriver();
        again.Kv(KvCommands.CreateTable("t"));
        Assert.Equal(before, again.Set.ComputeStateHash());
    }

    [Fact]
    public void DeleteWithExpectedVersion()
    {
        driver.Kv(KvCommands.Put("t", Of("k"), Of("v")));
        Assert.Throws<CasMismatchException>(() => driver.Kv(KvCommands.Delete("t", Of("k"), expectedVersion: 7)));
        Assert.True(driver.Kv(KvCommands.Delete("t", Of("k"), expectedVersion: 1)).Found);
    }

    [Fact]
    public void TablesCreateDropRenameList()
    {
        driver.Kv(KvCommands.CreateTable("b"));
        driver.Kv(KvCommands.Put("a", Of("k"), Of("v")));
        Assert.Throws<TableExistsException>(() => driver.Kv(KvCommands.CreateTable("a")));
        Assert.Equal(["a", "b"], driver.Kv(KvCommands.ListTables()).Tables!);

        driver.Kv(KvCommands.RenameTable("a", "c"));
        Assert.Equal(["b", "c"], driver.Kv(KvCommands.ListTables()).Tables!);
        Assert.Equal("v", Text(driver.Kv(KvCommands.Get("c", Of("k"))).Item!.Value));
        Assert.Throws<TableExistsException>(() => driver.Kv(KvCommands.RenameTable("c", "b")));
        Assert.Throws<TableNotFoundException>(() => driver.Kv(KvCommands.RenameTable("zz", "y")));

        driver.Kv(KvCommands.DropTable("c"));
        Assert.Equal(["b"], driver.Kv(KvCommands.ListTables()).Tables!);
        Assert.Throws<TableNotFoundException>(() => driver.Kv(KvCommands.DropTable("c")));
        Assert.Throws<InvalidCommandException>(() => driver.Kv(KvCommands.CreateTable("")));
    }

    [Fact]
    public void ValueAboveLimitIsRefusedWithTypedError()
    {
        var small = new MachineDriver(StateMachineSet.WithKv(new StateMachineOptions { MaxValueBytes = 16 }));
        small.Kv(KvCommands.Put("t", Of("k"), new byte[16]));
        var e = Assert.Throws<ValueTooLargeException>(() => small.Kv(KvCommands.Put("t", Of("k"), new byte[17])));
        Assert.Contains("17 bytes", e.Message);
        Assert.Contains("MaxValueBytes", e.Message);
        Assert.Equal(1, small.Kv(KvCommands.Get("t", Of("k"))).Item!.Version);
    }

    [Fact]
    public void DefaultValueLimitIsOneMebibyte()
    {
        driver.Kv(KvCommands.Put("t", Of("k"), new byte[1024 * 1024]));
        Assert.Throws<ValueTooLargeException>(() => driver.Kv(KvCommands.Put("t", Of("k"), new byte[(1024 * 1024) + 1])));
    }

    [Fact]
    public void EmptyAndOversizedKeysAreRefused()
    {
        Assert.Throws<InvalidCommandException>(() => driver.Kv(KvCommands.Put("t", [], Of("v"))));
        Assert.Throws<ValueTooLargeException>(() => driver.Kv(KvCommands.Put("t", new byte[5000], Of("v"))));
    }

    [Fact]
    public void QueryServesReadsAndRefusesWrites()
    {
        driver.Kv(KvCommands.Put("t", Of("k"), Of("v")));
        Assert.Equal("v", Text(driver.Query(KvCommands.Get("t", Of("k"))).Item!.Value));
        Assert.Throws<InvalidCommandException>(() => driver.Query(KvCommands.Put("t", Of("k"), Of("w"))));
        var unknown = TubeReply.FromBytes(driver.Set.Query("nope", KvCommands.ListTables().ToBytes()));
        Assert.Throws<UnknownStateMachineException>(() => unknown.ThrowIfError());
    }

    [Fact]
    public void MalformedCommandsGetTypedReplies()
    {
        var reply = TubeReply.FromBytes(StateMachineSet.WithKv().Apply(1, 0, new byte[] { 0xC1, 0x00 }));
        Assert.Equal(TubeErrorCode.MalformedCommand, reply.Error);
        var inner = driver.Send(TubeCommand.ForMachine(KvStateMachine.DefaultName, 0, 0, [0xC1]));
        Assert.Throws<MalformedCommandException>(() => inner.ThrowIfError());
        var unknown = driver.Send(TubeCommand.ForMachine("nope", 0, 0, []));
        Assert.Throws<UnknownStateMachineException>(() => unknown.ThrowIfError());
    }

    [Fact]
    public void EntriesMustArriveInIncreasingIndexOrder()
    {
        driver.Kv(KvCommands.CreateTable("t"));
        Assert.Throws<InvalidOperationException>(() => driver.Set.Apply(1, 0, KvCommands.ListTables().ToBytes()));
    }

    [Fact]
    public void StampedEntriesAndNoOpsApply()
    {
        var set = StateMachineSet.WithKv();
        var command = TubeCommand.ForMachine(KvStateMachine.DefaultName, 0, 0, KvCommands.Put("t", Of("k"), Of("v")).ToBytes());
        set.ApplyEntry(new Raft.LogEntry(1, 1, Raft.LogEntryKind.NoOp, ReadOnlyMemory<byte>.Empty));
        var reply = TubeReply.FromBytes(set.ApplyEntry(new Raft.LogEntry(1, 2, Raft.LogEntryKind.Command,
            StampedCommand.Create(12345, command.ToBytes()))));
        Assert.True(reply.IsSuccess);
        Assert.Equal(2, reply.Index);
        Assert.Equal(12345, set.LogTimeMs);
        var bad = TubeReply.FromBytes(set.ApplyEntry(new Raft.LogEntry(1, 3, Raft.LogEntryKind.Command, new byte[3])));
        Assert.Equal(TubeErrorCode.MalformedCommand, bad.Error);
        Assert.Equal(3, set.AppliedIndex);
    }
}
