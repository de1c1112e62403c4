using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

public class KvScanTests
{
    private readonly MachineDriver driver = new();

    public KvScanTests()
    {
        foreach (string key in new[] { "a", "ab", "abc", "b", "ba", "c" })
        {
            driver.Kv(KvCommands.Put("t", Of(key), Of("v-" + key)));
        }

        driver.Kv(KvCommands.Put("t", [0xFF, 0xFF], Of("high")));
        driver.Kv(KvCommands.CreateTable("empty"));
    }

    private static string[] Keys(KvResult result) => [.. result.Items!.Select(i => Text(i.Key))];

    [Fact]
    public void RangeIsStartInclusiveEndExclusive()
    {
        Assert.Equal(["ab", "abc", "b"], Keys(driver.Kv(KvCommands.Range("t", Of("ab"), Of("ba")))));
        Assert.Equal("v-ab", Text(driver.Kv(KvCommands.Range("t", Of("ab"), Of("ba"))).Items![0].Value));
    }

    [Fact]
    public void RangeDescendingReturnsHighestFirstAndLimitTakesTheHighest()
    {
        Assert.Equal(["b", "abc", "ab"], Keys(driver.Kv(KvCommands.Range("t", Of("ab"), Of("ba"), descending: true))));
        var limited = driver.Kv(KvCommands.Range("t", Of("ab"), Of("ba"), limit: 2, descending: true));
        Assert.Equal(["b", "abc"], Keys(limited));
        Assert.True(limited.More);
    }

    [Fact]
    public void RangeLimitSetsMoreOnlyWhenCut()
    {
        var cut = driver.Kv(KvCommands.Range("t", Of("a"), Of("b"), limit: 2));
        Assert.Equal(["a", "ab"], Keys(cut));
        Assert.True(cut.More);
        var exact = driver.Kv(KvCommands.Range("t", Of("a"), Of("b"), limit: 3));
        Assert.Equal(3, exact.Items!.Count);
        Assert.False(exact.More);
    }

    [Fact]
    public void RangeUnboundedEndsAndWholeTable()
    {
        Assert.Equal(7, driver.Kv(KvCommands.Range("t", [], null)).Items!.Count);
        Assert.Equal(["c", "\uFFFD\uFFFD"], Keys(driver.Kv(KvCommands.Range("t", Of("bz"), null))));
        Assert.Equal(["a"], Keys(driver.Kv(KvCommands.Range("t", [], Of("ab")))));
        Assert.Equal([0xFF, 0xFF], driver.Kv(KvCommands.Range("t", [], null, limit: 1, descending: true)).Items![0].Key);
    }

    [Fact]
    public void EmptyRangesAndEmptyTables()
    {
        Assert.Empty(driver.Kv(KvCommands.Range("t", Of("b"), Of("b"))).Items!);
        Assert.Empty(driver.Kv(KvCommands.Range("t", Of("c"), Of("a"))).Items!);
        Assert.Empty(driver.Kv(KvCommands.Range("t", [0xFF, 0xFF, 0x00], null)).Items!);
        Assert.Empty(driver.Kv(KvCommands.Range("empty", [], null, descending: true)).Items!);
        Assert.Empty(driver.Kv(KvCommands.PrefixScan("empty", Of("a"))).Items!);
        Assert.Empty(driver.Kv(KvCommands.ListKeys("empty")).Keys!);
        Assert.Throws<TableNotFoundException>(() => driver.Kv(KvCommands.Range("none", [], null)));
        Assert.Throws<InvalidCommandException>(() => driver.Kv(KvCommands.Range("t", [], null, limit: -1)));
    }

    [Fact]
    public void PrefixScanAscendingDescendingAndLimited()
    {
        Assert.Equal(["a", "ab", "abc"], Keys(driver.Kv(KvCommands.PrefixScan("t", Of("a")))));
        Assert.Equal(["abc", "ab"], Keys(driver.Kv(KvCommands.PrefixScan("t", Of("ab"), descending: true))));
        var limited = driver.Kv(KvCommands.PrefixScan("t", Of("a"), limit: 1, descending: true));
        Assert.Equal(["abc"], Keys(limited));
        Assert.True(limited.More);
        Assert.Empty(driver.Kv(KvCommands.PrefixScan("t", Of("abcd"))).Items!);
        Assert.Single(driver.Kv(KvCommands.PrefixScan("t", [0xFF])).Items!);
        Assert.Equal(7, driver.Kv(KvCommands.PrefixScan("t", [])).Items!.Count);
    }

    [Fact]
    public void ListKeysWithPrefixAndLimit()
    {
        Assert.Equal(7, driver.Kv(KvCommands.ListKeys("t")).Keys!.Count);
        var keys = driver.Kv(KvCommands.ListKeys("t", Of("b"), limit: 1));
        Assert.Equal(["b"], keys.Keys!.Select(Text));
        Assert.True(keys.More);
    }

    [Fact]
    public void KeysOrderBytewiseUnsigned()
    {
        var d = new MachineDriver();
        d.Kv(KvCommands.Put("t", [0x80], Of("x")));
        d.Kv(KvCommands.Put("t", [0x7F], Of("x")));
        d.Kv(KvCommands.Put("t", [0x7F, 0x00], Of("x")));
        var keys = d.Kv(KvCommands.ListKeys("t")).Keys!;
        Assert.Equal([[0x7F], [0x7F, 0x00], [0x80]], keys);
    }
}
