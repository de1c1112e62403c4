using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Ledger;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>
/// Every replica applies whatever a client managed to get into the log, so an apply that throws anything but a typed
/// refusal would stop every replica at once. These tests apply seeded streams of hostile commands (random bytes, and
/// well-formed commands with extreme or missing fields) to two state machine sets and require typed replies only,
/// the same replies on both, and the same state afterwards, also through a snapshot. The built-in machines (the KV
/// store, the example ledger) must refuse with a typed error, never fault.
/// </summary>
public sealed class HostileCommandTests
{
    private const int CommandsPerSeed = 1_500;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(105)] // a transaction compare without a key: once a fault of the hash index
    public void HostileCommandsGetTypedRepliesAndLeaveReplicasIdentical(int seed)
    {
        var generator = new HostileCommands(new Random(seed));
        StateMachineSet first = NewSet(), second = NewSet();
        long timeMs = 1_700_000_000_000;
        for (long index = 1; index <= CommandsPerSeed; index++)
        {
            timeMs = generator.NextLeaderTime(timeMs);
            byte[] command = generator.NextCommand();
            byte[] a = first.Apply(index, timeMs, command);
            byte[] b = second.Apply(index, timeMs, command);
            Assert.Equal(a, b);
            TubeReply reply = TubeReply.FromBytes(a);
            // A command that repeats a session's serial is answered from the session's cache, with its first index.
            Assert.InRange(reply.Index, 1, index);
            Assert.True(reply.Error != TubeErrorCode.MachineFault, reply.Message);
        }

        Assert.Equal(first.ComputeStateHash(), second.ComputeStateHash());
        StateMachineSet restored = NewSet();
        using (var stream = new MemoryStream())
        {
            first.WriteSnapshot(stream);
            stream.Position = 0;
            restored.RestoreSnapshot(stream);
        }

        Assert.Equal(first.ComputeStateHash(), restored.ComputeStateHash());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void HostileQueriesGetTypedReplies(int seed)
    {
        var generator = new HostileCommands(new Random(seed));
        StateMachineSet set = NewSet();
        long timeMs = 1_700_000_000_000;
        for (long index = 1; index <= 300; index++)
        {
            set.Apply(index, timeMs, generator.NextCommand());
        }

        for (int i = 0; i < CommandsPerSeed; i++)
        {
            (string machine, byte[] query) = generator.NextQuery();
            TubeReply reply = TubeReply.FromBytes(set.Query(machine, query));
            Assert.Equal(set.AppliedIndex, reply.Index);
            Assert.True(reply.Error != TubeErrorCode.MachineFault, reply.Message);
        }
    }

    [Fact]
    public void AMachineThatThrowsIsAnsweredAsAFaultAndTheEntryCountsAsApplied()
    {
        var machine = new FaultyMachine();
        var set = StateMachineSet.WithKv();
        set.Register(FaultyMachine.Name, machine);
        var faults = new List<(string, Exception)>();
        set.MachineFaulted = (name, e) => faults.Add((name, e));
        var driver = new MachineDriver(set);

        TubeReply fault = driver.Send(TubeCommand.ForMachine(FaultyMachine.Name, 0, 0, [0xFF]));
        var e = Assert.Throws<StateMachineFaultException>(() => fault.ThrowIfError());
        Assert.Contains("'faulty'", e.Message);
        Assert.Contains("InvalidOperationException", e.Message);
        Assert.Equal(TubeErrorCode.MachineFault, e.ErrorCode);
        Assert.Equal(1, set.AppliedIndex);
        Assert.Equal(1, machine.Applied);
        var (name, thrown) = Assert.Single(faults);
        Assert.Equal(FaultyMachine.Name, name);
        Assert.IsType<InvalidOperationException>(thrown);

        Assert.Equal(2, BitConverter.ToInt64(driver.Send(TubeCommand.ForMachine(FaultyMachine.Name, 0, 0, [1]))
            .ThrowIfError()));
        var query = TubeReply.FromBytes(set.Query(FaultyMachine.Name, new byte[] { 0xFF }));
        Assert.Contains("KeyNotFoundException", Assert.Throws<StateMachineFaultException>(() => query.ThrowIfError())
            .Message);
        Assert.Equal(2, faults.Count);
    }

    [Fact]
    public void ASessionEndsEvenWhenAMachineThrowsFromItsHook()
    {
        var set = StateMachineSet.WithKv();
        set.Register(FaultyMachine.Name, new FaultyMachine());
        var faults = new List<(string Machine, Exception Error)>();
        set.MachineFaulted = (name, e) => faults.Add((name, e));
        var driver = new MachineDriver(set);
        TestSession session = driver.OpenSession();

        Assert.True(driver.Send(TubeCommand.CloseSession(session.Id)).IsSuccess);
        Assert.Equal(0, set.SessionCount);
        Assert.Equal("the session bug", Assert.Single(faults).Error.Message);
    }

    private static StateMachineSet NewSet()
    {
        var set = StateMachineSet.WithKv();
        set.Register(BankLedger.DefaultName, new BankLedger());
        return set;
    }
}
