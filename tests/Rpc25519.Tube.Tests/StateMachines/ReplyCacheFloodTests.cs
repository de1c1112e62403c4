using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

/// <summary>One session sends ten thousand distinct serials and never reports progress (its lowest pending serial
/// stays 1): the session's state stops growing, the replies kept are the newest
/// <see cref="StateMachineOptions.MaxCachedRepliesPerSession"/>, and older serials are refused as stale, never
/// applied again.</summary>
public sealed class ReplyCacheFloodTests
{
    private const int Serials = 10_000;
    private static readonly string Kv = KvStateMachine.DefaultName;

    [Fact]
    public void TenThousandSerialsInOneSessionKeepItsStateBounded()
    {
        var driver = new MachineDriver();
        TestSession session = driver.OpenSession();
        TubeReply Send(long serial) => driver.Send(TubeCommand.ForMachine(Kv, session.Id, serial,
            KvCommands.Put("t", Of("k"), Of("v")).ToBytes(), lowestPendingSerial: 1));

        long halfway = 0;
        for (long serial = 1; serial <= Serials; serial++)
        {
            Assert.True(Send(serial).IsSuccess);
            if (serial == Serials / 2)
            {
                halfway = SnapshotBytes(driver.Set);
            }
        }

        // Past the first few thousand serials the session's bookkeeping is at its bound: no growth from here on.
        Assert.InRange(SnapshotBytes(driver.Set), halfway - 1024, halfway + 1024);
        int kept = new StateMachineOptions().MaxCachedRepliesPerSession;
        Assert.True(Send(Serials).Duplicate);
        Assert.True(Send(Serials - kept + 1).Duplicate);
        Assert.Equal(TubeErrorCode.StaleSerial, Send(Serials - kept).Error);
        Assert.Equal(TubeErrorCode.StaleSerial, Send(1).Error);
        Assert.Equal(Serials, driver.Kv(KvCommands.Get("t", Of("k"))).Item!.Version);
    }

    private static long SnapshotBytes(StateMachineSet set)
    {
        using var stream = new MemoryStream();
        set.WriteSnapshot(stream);
        return stream.Length;
    }
}
