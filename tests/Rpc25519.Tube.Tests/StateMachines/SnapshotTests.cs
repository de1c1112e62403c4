using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Ledger;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

public class SnapshotTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TwoMachinesFedTheSameCommandsEndWithTheSameState(int seed)
    {
        var driver = new MachineDriver(Workload.NewSet());
        Workload.Run(driver, seed, 400);
        var replica = Workload.NewSet();
        driver.ReplayInto(replica);
        Assert.Equal(driver.Set.ComputeStateHash(), replica.ComputeStateHash());
        Assert.Equal(driver.Set.AppliedIndex, replica.AppliedIndex);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentStates()
    {
        var a = new MachineDriver(Workload.NewSet());
        var b = new MachineDriver(Workload.NewSet());
        Workload.Run(a, 1, 100);
        Workload.Run(b, 2, 100);
        Assert.NotEqual(a.Set.ComputeStateHash(), b.Set.ComputeStateHash());
    }

    [Fact]
    public void RestoredStateEqualsTheOriginalAndKeepsBehavingTheSame()
    {
        var driver = new MachineDriver(Workload.NewSet());
        Workload.Run(driver, 7, 300);
        var session = driver.OpenSession();
        byte[] put = KvCommands.Put("t", Of("snap"), Of("v"), TimeSpan.FromMinutes(1)).ToBytes();
        session.SendSerial(KvStateMachine.DefaultName, put, 1);

        using var stream = new MemoryStream();
        driver.Set.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = Workload.NewSet();
        restored.RestoreSnapshot(stream);
        Assert.Equal(driver.Set.ComputeStateHash(), restored.ComputeStateHash());
        Assert.Equal(driver.Set.LogTimeMs, restored.LogTimeMs);
        Assert.Equal(driver.Set.SessionCount, restored.SessionCount);

        // The same next entries give the same replies and states: the retry is still a duplicate after restore.
        var retry = TubeCommand.ForMachine(KvStateMachine.DefaultName, session.Id, 1, put).ToBytes();
        long next = driver.Set.AppliedIndex + 1;
        var fromOriginal = TubeReply.FromBytes(driver.Set.Apply(next, driver.TimeMs, retry));
        var fromRestored = TubeReply.FromBytes(restored.Apply(next, driver.TimeMs, retry));
        Assert.True(fromRestored.Duplicate);
        Assert.Equal(fromOriginal.ToBytes(), fromRestored.ToBytes());
        Assert.Equal(driver.Set.ComputeStateHash(), restored.ComputeStateHash());

        var other = TubeCommand.ForMachine(KvStateMachine.DefaultName, 0, 0,
            KvCommands.Put("t", Of("snap"), Of("x")).ToBytes()).ToBytes();
        var refused = TubeReply.FromBytes(restored.Apply(next + 1, driver.TimeMs, other));
        Assert.Equal(Rpc25519.Tube.StateMachines.Errors.TubeErrorCode.KeyLeased, refused.Error);
    }

    [Fact]
    public void RestoreReplacesExistingState()
    {
        var source = new MachineDriver(Workload.NewSet());
        source.Kv(KvCommands.Put("a", Of("k"), Of("v")));
        var target = new MachineDriver(Workload.NewSet());
        Workload.Run(target, 3, 50);

        using var stream = new MemoryStream();
        source.Set.WriteSnapshot(stream);
        stream.Position = 0;
        target.Set.RestoreSnapshot(stream);
        Assert.Equal(source.Set.ComputeStateHash(), target.Set.ComputeStateHash());
        Assert.Equal(0, target.Set.SessionCount);
    }

    [Fact]
    public void RestoreRefusesASnapshotOfOtherMachines()
    {
        var kvOnly = StateMachineSet.WithKv();
        using var stream = new MemoryStream();
        kvOnly.WriteSnapshot(stream);
        stream.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => Workload.NewSet().RestoreSnapshot(stream));
        Assert.Contains("register the same machines", e.Message);
    }

    [Fact]
    public void MachinesRegisterBeforeTheFirstEntryOnly()
    {
        var set = StateMachineSet.WithKv();
        Assert.Throws<ArgumentException>(() => set.Register(KvStateMachine.DefaultName, new KvStateMachine()));
        set.Apply(1, 0, TubeCommand.OpenSession().ToBytes());
        Assert.Throws<InvalidOperationException>(() => set.Register(BankLedger.DefaultName, new BankLedger()));
    }

    [Theory]
    [InlineData(21, 57)]
    [InlineData(22, 203)]
    public void ASnapshotTakenMidwayPlusTheRestOfTheLogGivesTheSameState(int seed, int snapshotAt)
    {
        var driver = new MachineDriver(Workload.NewSet());
        Workload.Run(driver, seed, 300);

        var prefix = Workload.NewSet();
        foreach (var (index, time, command) in driver.Log.Take(snapshotAt))
        {
            prefix.Apply(index, time, command);
        }

        using var stream = new MemoryStream();
        prefix.WriteSnapshot(stream);
        stream.Position = 0;
        var recovered = Workload.NewSet();
        recovered.RestoreSnapshot(stream);
        foreach (var (index, time, command) in driver.Log.Skip(snapshotAt))
        {
            recovered.Apply(index, time, command);
        }

        Assert.Equal(driver.Set.ComputeStateHash(), recovered.ComputeStateHash());
    }

    /// <summary>Member addresses that went through the log are the same on every replica, survive a snapshot, and a
    /// later address for the same id replaces the earlier one.</summary>
    [Fact]
    public void MemberAddressesAreReplicatedAndKeptInSnapshots()
    {
        var driver = new MachineDriver(Workload.NewSet());
        Assert.True(driver.Send(TubeCommand.SetMemberAddress(4, "10.0.0.4:7000")).IsSuccess);
        Assert.True(driver.Send(TubeCommand.SetMemberAddress(5, "10.0.0.5:7000")).IsSuccess);
        Assert.True(driver.Send(TubeCommand.SetMemberAddress(4, "10.0.0.44:7000")).IsSuccess);
        Assert.Equal(new Dictionary<ulong, string> { [4] = "10.0.0.44:7000", [5] = "10.0.0.5:7000" },
            driver.Set.MemberAddresses);

        var replica = Workload.NewSet();
        driver.ReplayInto(replica);
        Assert.Equal(driver.Set.MemberAddresses, replica.MemberAddresses);

        using var stream = new MemoryStream();
        driver.Set.WriteSnapshot(stream);
        stream.Position = 0;
        var restored = Workload.NewSet();
        restored.RestoreSnapshot(stream);
        Assert.Equal(driver.Set.MemberAddresses, restored.MemberAddresses);
        Assert.Equal(driver.Set.ComputeStateHash(), restored.ComputeStateHash());
    }

    /// <summary>A member address without an id or without an address is refused (on every replica alike) and
    /// changes nothing.</summary>
    [Theory]
    [InlineData(0UL, "10.0.0.4:7000")]
    [InlineData(4UL, "")]
    [InlineData(4UL, " ")]
    public void AMemberAddressWithoutIdOrAddressIsRefused(ulong id, string address)
    {
        var driver = new MachineDriver(Workload.NewSet());
        TubeReply reply = driver.Send(TubeCommand.SetMemberAddress(id, address));
        Assert.False(reply.IsSuccess);
        Assert.Contains("host:port", reply.Message, StringComparison.Ordinal);
        Assert.Empty(driver.Set.MemberAddresses);
    }
}
