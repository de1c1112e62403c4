using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.StateMachines.Sessions;
using Xunit.Sdk;
using static Rpc25519.Tube.Tests.StateMachines.Bytes;

namespace Rpc25519.Tube.Tests.StateMachines;

public class SessionTests
{
    private static readonly string Kv = KvStateMachine.DefaultName;

    [Fact]
    public void SessionIdIsTheIndexOfTheOpeningEntry()
    {
        var driver = new MachineDriver();
        driver.Kv(KvCommands.CreateTable("t"));
        var info = SessionInfo.FromBytes(driver.Send(TubeCommand.OpenSession(TimeSpan.FromSeconds(30))).ThrowIfError());
        Assert.Equal(2, info.SessionId);
        Assert.Equal(30_000, info.TimeoutMs);
        Assert.Equal(driver.TimeMs + 30_000, info.ExpiresAtMs);
        Assert.Equal(1, driver.Set.SessionCount);
    }

    [Fact]
    public void OpeningMoreThanMaxSessionsIsRefusedUntilOneClosesOrExpires()
    {
        var driver = new MachineDriver(StateMachineSet.WithKv(new StateMachineOptions { MaxSessions = 2 }));
        TestSession first = driver.OpenSession();
        driver.OpenSession(TimeSpan.FromSeconds(5));
        var refused = Assert.Throws<SessionLimitException>(() => driver.OpenSession());
        Assert.Contains("MaxSessions", refused.Message);
        Assert.Equal(TubeErrorCode.SessionLimit, refused.ErrorCode);
        Assert.Equal(2, driver.Set.SessionCount);

        driver.Send(TubeCommand.CloseSession(first.Id)).ThrowIfError();
        driver.OpenSession();
        Assert.Throws<SessionLimitException>(() => driver.OpenSession());

        driver.Advance(TimeSpan.FromSeconds(6));
        driver.OpenSession();
        Assert.Equal(2, driver.Set.SessionCount);
        Assert.Throws<ArgumentException>(() => StateMachineSet.WithKv(new StateMachineOptions { MaxSessions = 0 }));
    }

    [Fact]
    public void DuplicateRetryIsAnsweredFromCacheAndNotAppliedTwice() =>
        AssertRetryAppliedOnce(new StateMachineOptions());

    [Fact]
    public void MutationFlagThatReappliesRetriesBreaksTheDuplicateCheck()
    {
        var flagged = new StateMachineOptions { UnsafeReapplyRetries = true };
        Assert.ThrowsAny<XunitException>(() => AssertRetryAppliedOnce(flagged));
    }

    [Fact]
    public void RefusalsAreCachedToo()
    {
        var driver = new MachineDriver();
        var session = driver.OpenSession();
        byte[] cas = KvCommands.CompareAndSwap("t", Of("k"), Of("v"), expectedVersion: 3).ToBytes();
        var first = session.SendSerial(Kv, cas, 1);
        driver.Kv(KvCommands.Put("t", Of("k"), Of("x")));
        var retry = session.SendSerial(Kv, cas, 1);
        Assert.Equal(TubeErrorCode.CasMismatch, retry.Error);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Message, retry.Message);
    }

    [Fact]
    public void StaleSerialIsRejectedClearly()
    {
        var driver = new MachineDriver();
        var session = driver.OpenSession();
        session.Kv(KvCommands.Put("t", Of("k"), Of("1")));
        session.Kv(KvCommands.Put("t", Of("k"), Of("2")));
        session.Kv(KvCommands.Put("t", Of("k"), Of("3")));

        var reply = session.SendSerial(Kv, KvCommands.Put("t", Of("k"), Of("2 again")).ToBytes(), 2);
        var e = Assert.Throws<StaleSerialException>(() => reply.ThrowIfError());
        Assert.Contains("Serial 2", e.Message);
        Assert.Contains("Do not retry it blindly", e.Message);
        Assert.Equal(3, driver.Kv(KvCommands.Get("t", Of("k"))).Item!.Version);
    }

    [Fact]
    public void SeveralCommandsInFlightMayApplyOutOfOrderAndStillDeduplicate()
    {
        var driver = new MachineDriver();
        var session = driver.OpenSession();
        TubeReply Send(long serial, string key) => driver.Send(TubeCommand.ForMachine(Kv, session.Id, serial,
            KvCommands.Put("t", Of(key), Of("v")).ToBytes(), lowestPendingSerial: 1));

        Assert.True(Send(2, "b").IsSuccess);
        Assert.True(Send(1, "a").IsSuccess);
        Assert.True(Send(2, "b").Duplicate);
        Assert.True(Send(1, "a").Duplicate);
        Assert.Equal(1, driver.Kv(KvCommands.Get("t", Of("b"))).Item!.Version);
    }

    [Fact]
    public void BeyondTheReplyCacheBoundOldSerialsBecomeStale()
    {
        var driver = new MachineDriver(StateMachineSet.WithKv(new StateMachineOptions { MaxCachedRepliesPerSession = 2 }));
        var session = driver.OpenSession();
        TubeReply Send(long serial) => driver.Send(TubeCommand.ForMachine(Kv, session.Id, serial,
            KvCommands.Put("t", Of("k"), Of("v")).ToBytes(), lowestPendingSerial: 1));

        Send(1);
        Send(2);
        Send(3);
        Assert.Equal(TubeErrorCode.StaleSerial, Send(1).Error);
        Assert.True(Send(2).Duplicate);
        Assert.Equal(3, driver.Kv(KvCommands.Get("t", Of("k"))).Item!.Version);
    }

    [Fact]
    public void ACommandOvertakenByMoreThanTheBoundIsStillAppliedExactlyOnce()
    {
        // Many callers share a session: serial 1 is slow to arrive while serials 2..6 (more than the two replies the
        // bound keeps) are applied. It was never applied, so it must be now, not refused as stale.
        var driver = new MachineDriver(StateMachineSet.WithKv(new StateMachineOptions { MaxCachedRepliesPerSession = 2 }));
        var session = driver.OpenSession();
        TubeReply Send(long serial, string key) => driver.Send(TubeCommand.ForMachine(Kv, session.Id, serial,
            KvCommands.Put("t", Of(key), Of("v")).ToBytes(), lowestPendingSerial: 1));

        for (int serial = 2; serial <= 6; serial++)
        {
            Assert.True(Send(serial, "other").IsSuccess);
        }

        TubeReply late = Send(1, "late");
        Assert.True(late.IsSuccess && !late.Duplicate, $"the overtaken command was refused: {late.Message}");
        Assert.Equal(1, driver.Kv(KvCommands.Get("t", Of("late"))).Item!.Version);

        // Its reply and those of 2..4 fell out of the bound at once: a retry cannot be answered, and is not applied.
        TubeReply retry = Send(1, "late");
        Assert.Equal(TubeErrorCode.StaleSerial, retry.Error);
        Assert.Contains("was applied, but its reply is no longer cached", retry.Message);
        Assert.Equal(TubeErrorCode.StaleSerial, Send(3, "other").Error);
        Assert.True(Send(6, "other").Duplicate);
        Assert.Equal(1, driver.Kv(KvCommands.Get("t", Of("late"))).Item!.Version);
        Assert.Equal(5, driver.Kv(KvCommands.Get("t", Of("other"))).Item!.Version);
    }

    [Fact]
    public void UnknownClosedAndInvalidSessionsAreRefused()
    {
        var driver = new MachineDriver();
        Assert.Throws<SessionExpiredException>(() => driver.Send(TubeCommand.KeepAlive(42)).ThrowIfError());
        var session = driver.OpenSession();
        Assert.Throws<InvalidCommandException>(() => session.SendSerial(Kv, KvCommands.ListTables().ToBytes(), 0).ThrowIfError());
        session.Close().ThrowIfError();
        var e = Assert.Throws<SessionExpiredException>(() => session.Kv(KvCommands.ListTables()));
        Assert.Contains("Open a new session", e.Message);
        Assert.Throws<SessionExpiredException>(() => session.Close().ThrowIfError());
    }

    [Fact]
    public void IdleSessionsExpireByLogTimeAndTheirLeasesAreReleased()
    {
        var driver = new MachineDriver();
        var idle = driver.OpenSession(TimeSpan.FromSeconds(5));
        var busy = driver.OpenSession(TimeSpan.FromSeconds(5));
        var other = driver.OpenSession();
        idle.Kv(KvCommands.Put("t", Of("k"), Of("v"), TimeSpan.FromMinutes(10)));
        busy.Kv(KvCommands.Put("t", Of("b"), Of("v"), TimeSpan.FromMinutes(10)));

        for (int i = 0; i < 4; i++)
        {
            driver.Advance(TimeSpan.FromSeconds(3));
            busy.KeepAlive().ThrowIfError();
        }

        Assert.Equal(2, driver.Set.SessionCount);
        other.Kv(KvCommands.Put("t", Of("k"), Of("mine now")));
        Assert.Throws<KeyLeasedException>(() => other.Kv(KvCommands.Put("t", Of("b"), Of("no"))));
        Assert.Throws<SessionExpiredException>(() => idle.Kv(KvCommands.ListTables()));
    }

    [Fact]
    public void ExpiryUsesTheEntryThatArrivesAfterTheTimeout()
    {
        var driver = new MachineDriver();
        var session = driver.OpenSession(TimeSpan.FromSeconds(5));
        driver.Advance(TimeSpan.FromSeconds(4.999));
        session.Kv(KvCommands.ListTables());
        driver.Advance(TimeSpan.FromSeconds(5));
        Assert.Throws<SessionExpiredException>(() => session.Kv(KvCommands.ListTables()));
    }

    [Fact]
    public void RequestedTimeoutsAreClamped()
    {
        var driver = new MachineDriver();
        var low = SessionInfo.FromBytes(driver.Send(TubeCommand.OpenSession(TimeSpan.FromMilliseconds(1))).ThrowIfError());
        var high = SessionInfo.FromBytes(driver.Send(TubeCommand.OpenSession(TimeSpan.FromDays(1))).ThrowIfError());
        Assert.Equal(1_000, low.TimeoutMs);
        Assert.Equal(3_600_000, high.TimeoutMs);
    }

    /// <summary>The duplicate check the SimNet soak also relies on: a retry is answered from the cache, marked as a
    /// duplicate, and the key's version shows one write.</summary>
    private static void AssertRetryAppliedOnce(StateMachineOptions options)
    {
        var driver = new MachineDriver(StateMachineSet.WithKv(options));
        var session = driver.OpenSession();
        byte[] put = KvCommands.Put("t", Of("k"), Of("v")).ToBytes();
        var first = session.SendSerial(Kv, put, 1);
        var retry = session.SendSerial(Kv, put, 1);

        Assert.True(retry.Duplicate);
        Assert.Equal(first.Index, retry.Index);
        Assert.Equal(first.Payload, retry.Payload);
        Assert.Equal(1, driver.Kv(KvCommands.Get("t", Of("k"))).Item!.Version);
    }
}
