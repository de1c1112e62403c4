using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary><see cref="StateMachineOptions.MaxStateBytes"/>: a store at its limit refuses what could grow it, before
/// any change, and goes on serving reads and deletes.</summary>
public sealed class StateLimitTests
{
    private readonly MachineDriver driver =
        new(StateMachineSet.WithKv(new StateMachineOptions { MaxStateBytes = 100 }));

    private KvStateMachine Store => (KvStateMachine)driver.Set.GetMachine(KvStateMachine.DefaultName);

    [Fact]
    public void AStoreAtItsLimitRefusesGrowthAndStillReadsAndDeletes()
    {
        driver.Kv(KvCommands.Put("t", Of("a"), new byte[49]));
        driver.Kv(KvCommands.Put("t", Of("b"), new byte[40]));
        Assert.Equal(91, Store.StateBytes);
        // Below the limit, one more write may pass it by its own size.
        driver.Kv(KvCommands.Put("t", Of("c"), new byte[20]));
        Assert.Equal(112, Store.StateBytes);

        var refused = Assert.Throws<StateLimitException>(() => driver.Kv(KvCommands.Put("t", Of("d"), [1])));
        Assert.Contains("112 bytes", refused.Message);
        Assert.Equal(TubeErrorCode.StateLimit, refused.ErrorCode);
        Assert.Throws<StateLimitException>(() => driver.Kv(KvCommands.Put("t", Of("c"), new byte[21])));
        // A write that does not grow the store goes through.
        driver.Kv(KvCommands.CompareAndSwap("t", Of("a"), new byte[48], new byte[49]));
        Assert.Equal(111, Store.StateBytes);
        Assert.Throws<StateLimitException>(() => driver.Kv(KvCommands.CreateTable("u")));
        Assert.Throws<StateLimitException>(() => driver.Kv(KvCommands.Txn("t", new KvTxn
        {
            Success = [new KvTxnOp { Kind = KvTxnOpKind.Put, Key = Of("e"), Value = [1] }],
        })));
        Assert.False(driver.Kv(KvCommands.Get("t", Of("d"))).Found);
        Assert.Equal(48, driver.Kv(KvCommands.Get("t", Of("a"))).Item!.Value!.Length);
        Assert.Equal(111, Store.StateBytes);

        driver.Kv(KvCommands.Delete("t", Of("a")));
        Assert.Equal(62, Store.StateBytes);
        driver.Kv(KvCommands.Put("t", Of("b"), [1]));
        Assert.Equal(23, Store.StateBytes);
        driver.Kv(KvCommands.DropTable("t"));
        Assert.Equal(0, Store.StateBytes);
        driver.Kv(KvCommands.Put("u", Of("k"), new byte[99]));
        Assert.Equal(100, Store.StateBytes);
        Assert.Throws<StateLimitException>(() => driver.Kv(KvCommands.Put("u", Of("l"), [])));
        driver.Kv(KvCommands.Put("u", Of("k"), []));
        Assert.Equal(1, Store.StateBytes);
    }

    [Fact]
    public void TheHeldBytesSurviveASnapshot()
    {
        driver.Kv(KvCommands.Put("t", Of("a"), new byte[30]));
        driver.Kv(KvCommands.Txn("t", new KvTxn
        {
            Success = [new KvTxnOp { Kind = KvTxnOpKind.Put, Key = Of("bb"), Value = new byte[10] }],
        }));
        var restored = StateMachineSet.WithKv(new StateMachineOptions { MaxStateBytes = 100 });
        using (var stream = new MemoryStream())
        {
            driver.Set.WriteSnapshot(stream);
            stream.Position = 0;
            restored.RestoreSnapshot(stream);
        }

        Assert.Equal(43, Store.StateBytes);
        Assert.Equal(43, ((KvStateMachine)restored.GetMachine(KvStateMachine.DefaultName)).StateBytes);
        Assert.Throws<ArgumentException>(() => StateMachineSet.WithKv(new StateMachineOptions { MaxStateBytes = 0 }));
    }
}
