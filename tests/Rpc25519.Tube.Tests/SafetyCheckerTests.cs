using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests;

/// <summary>The simulation's safety checker must itself be able to fail.</summary>
public sealed class SafetyCheckerTests
{
    [Fact]
    public void DifferentEntriesAppliedAtOneIndexAreCaught()
    {
        var checker = new SafetyChecker();
        var options = new RaftOptions { NodeId = 1, Random = new Random(1) };
        var a = new SimNode(1, options);
        var b = new SimNode(2, new RaftOptions { NodeId = 2, Random = new Random(2) });
        checker.CheckApply(a, new LogEntry(1, 1, LogEntryKind.Command, new byte[] { 1 }));
        Assert.Throws<SafetyViolationException>(
            () => checker.CheckApply(b, new LogEntry(1, 1, LogEntryKind.Command, new byte[] { 2 })));
    }

    [Fact]
    public void ApplyingOutOfOrderIsCaught()
    {
        var checker = new SafetyChecker();
        var a = new SimNode(1, new RaftOptions { NodeId = 1, Random = new Random(1) });
        Assert.Throws<SafetyViolationException>(
            () => checker.CheckApply(a, new LogEntry(1, 2, LogEntryKind.Command, new byte[] { 1 })));
    }
}
