using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Changes;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

public class LeaseTests
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);
    private readonly MachineDriver driver = new();
    private readonly TestSession owner;
    private readonly TestSession other;

    public LeaseTests()
    {
        owner = driver.OpenSession();
        other = driver.OpenSession();
    }

    private long T0 => 1_700_000_000_000;

    [Fact]
    public void AnotherSessionIsRefusedWithHolderAndEndTime()
    {
        var granted = owner.Kv(KvCommands.Put("t", Of("k"), Of("mine"), TenSeconds), T0);
        Assert.Equal(owner.Id, granted.Item!.LeaseSession);
        Assert.Equal(T0 + 10_000, granted.Item.LeaseUntilMs);

        var e = Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.Put("t", Of("k"), Of("theirs")), T0 + 1));
        Assert.Contains($"leased by session {owner.Id} until", e.Message);
        Assert.Contains(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 10_000).ToString("O"), e.Message);
        Assert.Equal(owner.Id, e.Current!.LeaseSession);
        Assert.Equal("mine", Text(e.Current.Value));
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.Delete("t", Of("k")), T0 + 2));
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.Put("t", Of("k"), Of("x"), TenSeconds), T0 + 3));
        Assert.Throws<KeyLeasedException>(() => driver.Kv(KvCommands.Put("t", Of("k"), Of("no session"))));

        var plain = owner.Kv(KvCommands.Put("t", Of("k"), Of("still mine")), T0 + 4);
        Assert.Equal(owner.Id, plain.Item!.LeaseSession);
        Assert.Equal("mine", Text(e.Current.Value));
    }

    [Fact]
    public void ReleaseFreesTheKeyForOthers()
    {
        owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds), T0);
        Assert.Throws<NotLeaseHolderException>(() => other.Kv(KvCommands.ReleaseLease("t", Of("k")), T0 + 1));
        var released = owner.Kv(KvCommands.ReleaseLease("t", Of("k")), T0 + 2);
        Assert.Equal(0, released.Item!.LeaseSession);
        other.Kv(KvCommands.Put("t", Of("k"), Of("theirs")), T0 + 3);
        Assert.Throws<NotLeaseHolderException>(() => owner.Kv(KvCommands.ReleaseLease("t", Of("k")), T0 + 4));
        Assert.Contains(driver.Set.Changes.Read(1).Changes, c => c.Kind == ChangeKind.LeaseReleased);
    }

    [Fact]
    public void ExpiryIsDecidedByEntryTime()
    {
        owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds), T0);
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.Put("t", Of("k"), Of("x")), T0 + 9_999));
        var after = other.Kv(KvCommands.Put("t", Of("k"), Of("x")), T0 + 10_000);
        Assert.Equal(0, after.Item!.LeaseSession);
        Assert.Equal(0, driver.Kv(KvCommands.Get("t", Of("k"))).Item!.LeaseSession);
    }

    [Fact]
    public void LogTimeNeverGoesBackwardsUnderLeaderClockSkew()
    {
        // Leader A (fast clock) stamps T0 and T0 + 11 s; leader B, elected next, runs 6 s behind.
        owner.Kv(KvCommands.Put("t", Of("k"), Of("a"), TenSeconds), T0);
        var taken = other.Kv(KvCommands.Put("t", Of("k"), Of("b"), TenSeconds), T0 + 11_000);
        Assert.Equal(other.Id, taken.Item!.LeaseSession);
        Assert.Equal(T0 + 21_000, taken.Item.LeaseUntilMs);

        // B's stamp T0 + 5 s would make the owner's old lease look live again; the max rule keeps log time at T0+11 s.
        var e = Assert.Throws<KeyLeasedException>(() => owner.Kv(KvCommands.Put("t", Of("k"), Of("a2")), T0 + 5_000));
        Assert.Contains($"session {other.Id}", e.Message);
        Assert.Equal(T0 + 11_000, driver.Set.LogTimeMs);

        // B's clock catches up: the lease still ends at the time stamped by A's grant, on every replica.
        Assert.Throws<KeyLeasedException>(() => owner.Kv(KvCommands.Put("t", Of("k"), Of("a3")), T0 + 20_999));
        owner.Kv(KvCommands.Put("t", Of("k"), Of("a4")), T0 + 21_000);
    }

    [Fact]
    public void FencingTokensGrowStrictlyPerKeyAndRenewalKeepsThem()
    {
        var tokens = new List<long>();
        tokens.Add(owner.Kv(KvCommands.Put("t", Of("k"), Of("1"), TenSeconds), T0).Item!.FencingToken);
        long renewed = owner.Kv(KvCommands.Put("t", Of("k"), Of("2"), TenSeconds), T0 + 1_000).Item!.FencingToken;
        Assert.Equal(tokens[0], renewed);

        owner.Kv(KvCommands.ReleaseLease("t", Of("k")), T0 + 2_000);
        tokens.Add(other.Kv(KvCommands.Put("t", Of("k"), Of("3"), TenSeconds), T0 + 3_000).Item!.FencingToken);
        tokens.Add(owner.Kv(KvCommands.Put("t", Of("k"), Of("4"), TenSeconds), T0 + 13_000).Item!.FencingToken);
        owner.Kv(KvCommands.Delete("t", Of("k")), T0 + 14_000);
        tokens.Add(other.Kv(KvCommands.Put("t", Of("k"), Of("5"), TenSeconds), T0 + 15_000).Item!.FencingToken);
        tokens.Add(owner.Kv(KvCommands.Put("t", Of("k2"), Of("x"), TenSeconds), T0 + 16_000).Item!.FencingToken);

        for (int i = 1; i < tokens.Count; i++)
        {
            Assert.True(tokens[i] > tokens[i - 1], $"token {tokens[i]} after {tokens[i - 1]}");
        }
    }

    [Fact]
    public void RenewalNeverShortensTheLease()
    {
        owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds), T0);
        var renewed = owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TimeSpan.FromSeconds(1)), T0 + 1_000);
        Assert.Equal(T0 + 10_000, renewed.Item!.LeaseUntilMs);
        var extended = owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds), T0 + 5_000);
        Assert.Equal(T0 + 15_000, extended.Item!.LeaseUntilMs);
    }

    [Fact]
    public void CompareAndSwapOnFencingTokenFencesOffAnOldHolder()
    {
        long first = owner.Kv(KvCommands.Put("t", Of("k"), Of("a"), TenSeconds), T0).Item!.FencingToken;
        owner.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("a2"), expectedFencingToken: first), T0 + 1_000);

        long second = other.Kv(KvCommands.Put("t", Of("k"), Of("b"), TenSeconds), T0 + 10_000).Item!.FencingToken;
        Assert.True(second > first);
        other.Kv(KvCommands.ReleaseLease("t", Of("k")), T0 + 10_001);

        var e = Assert.Throws<CasMismatchException>(
            () => owner.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("late"), expectedFencingToken: first), T0 + 10_002));
        Assert.Contains("fenced off", e.Message);
        Assert.Equal(second, e.Current!.FencingToken);
        other.Kv(KvCommands.CompareAndSwap("t", Of("k"), Of("b2"), expectedFencingToken: second), T0 + 10_003);
    }

    [Fact]
    public void LeaseArgumentsAreChecked()
    {
        Assert.Throws<InvalidCommandException>(() => driver.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds)));
        Assert.Throws<InvalidCommandException>(
            () => owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TimeSpan.FromHours(1))));
    }

    [Fact]
    public void TableWithAnotherSessionsLeaseCannotBeDroppedOrRenamed()
    {
        owner.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds), T0);
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.DropTable("t"), T0 + 1));
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.RenameTable("t", "u"), T0 + 2));
        owner.Kv(KvCommands.RenameTable("t", "u"), T0 + 3);
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.Put("u", Of("k"), Of("x")), T0 + 4));
        owner.Kv(KvCommands.DropTable("u"), T0 + 5);
        other.Kv(KvCommands.Put("u", Of("k"), Of("x"), TenSeconds), T0 + 6);
    }

    [Fact]
    public void ClosingTheSessionReleasesItsLeases()
    {
        owner.Kv(KvCommands.Put("t", Of("a"), Of("v"), TenSeconds), T0);
        owner.Kv(KvCommands.Put("u", Of("b"), Of("v"), TenSeconds), T0);
        driver.TimeMs = T0 + 1;
        owner.Close().ThrowIfError();
        other.Kv(KvCommands.Put("t", Of("a"), Of("x")), T0 + 2);
        other.Kv(KvCommands.Put("u", Of("b"), Of("x")), T0 + 2);
        Assert.Equal(2, driver.Set.Changes.Read(1).Changes.Count(c => c.Kind == ChangeKind.LeaseReleased));
    }

    [Fact]
    public void OthersWaitForTheClockDriftBoundAfterTheLeaseEnds()
    {
        var set = StateMachineSet.WithKv(new StateMachineOptions { LeaseClockDriftBound = TimeSpan.FromMilliseconds(500) });
        var d = new MachineDriver(set);
        var holder = d.OpenSession();
        var next = d.OpenSession();
        holder.Kv(KvCommands.Put("t", Of("k"), Of("v"), TenSeconds), T0);

        var e = Assert.Throws<KeyLeasedException>(() => next.Kv(KvCommands.Put("t", Of("k"), Of("x")), T0 + 10_499));
        Assert.Contains("clock drift bound", e.Message);
        Assert.Equal(0, e.Current!.LeaseSession);
        next.Kv(KvCommands.Put("t", Of("k"), Of("x"), TenSeconds), T0 + 10_500);
    }
}
