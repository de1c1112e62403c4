using System.Text;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Client;

/// <summary>
/// <see cref="TubeCzar"/> on the whole stack under SimNet: candidates on nodes of their own race for one role; a
/// monitor samples every candidate's <see cref="TubeCzar.IsCzar"/> every few virtual milliseconds and records the
/// most that ever held at once. Failover after the holder is cut off, release on dispose, and clock skew within
/// <see cref="TubeCzarOptions.ClockDriftBound"/> (plus a control run without the bound, which must catch two holders,
/// so the monitor is shown able to fail).
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeCzarTests
{
    internal static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    internal static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    internal static TubeCzarOptions RoleOptions(string candidate, TimeSpan? drift = null, TimeSpan? renew = null) => new()
    {
        Role = "leader",
        Candidate = B(candidate),
        LeaseDuration = Lease,
        RenewInterval = renew ?? TimeSpan.FromMilliseconds(300),
        AttemptTimeout = TimeSpan.FromMilliseconds(400),
        ClockDriftBound = drift ?? TimeSpan.FromMilliseconds(400),
    };

    [Fact]
    public void OneCzarAtATimeAndAnotherTakesOverWhenTheHolderIsCutOff()
    {
        var run = new CzarRun(seed: 11, candidates: 3);
        run.Cluster.Simulation.Run(async () =>
        {
            await run.StartAsync(i => RoleOptions("c" + i));
            CzarCandidate first = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            long firstToken = first.Czar.FencingToken;
            Assert.True(firstToken > 0);
            Assert.Equal("c" + first.Index, Encoding.UTF8.GetString(first.Czar.Holder!));
            // Renewals keep the role where it is.
            await run.Cluster.DelayAsync(Lease * 3);
            Assert.True(first.Czar.IsCzar, "the holder lost the role while renewing normally");
            Assert.Equal(firstToken, first.Czar.FencingToken);
            // The others learned who holds it from their refused writes.
            Assert.All(run.Others(first), c => Assert.Equal("c" + first.Index, Encoding.UTF8.GetString(c.Czar.Holder!)));

            // Cut the holder off: it must give up by its own clock, and another must take over within the lease,
            // one renewal and one attempt of the moment it was cut off (plus scheduling slack).
            SimUndo cut = run.Cluster.Network.Isolate(first.Node);
            DateTimeOffset cutAt = run.Cluster.Clock.GetUtcNow();
            CzarCandidate second = await run.WaitForCzarAsync(except: first, within: TimeSpan.FromSeconds(10));
            TimeSpan failover = run.Cluster.Clock.GetUtcNow() - cutAt;
            Assert.True(failover <= Lease + TimeSpan.FromSeconds(1.5), $"failover took {failover}");
            Assert.False(first.Czar.IsCzar);
            Assert.True(second.Czar.FencingToken > firstToken, "fencing tokens must grow from tenure to tenure");
            Assert.Contains(first.Changes, c => !c.IsCzar && c.Reason == TubeCzarChangeReason.Expired &&
                c.FencingToken == firstToken);

            // The old holder comes back and competes again without taking the role from the new one.
            cut.Undo();
            await run.Cluster.DelayAsync(Lease * 2);
            Assert.True(second.Czar.IsCzar);
            await run.StopAsync();
        });
        Assert.Equal(1, run.MostAtOnce);
    }

    [Fact]
    public void DisposeReleasesTheRoleWithoutWaitingForTheLease()
    {
        var run = new CzarRun(seed: 12, candidates: 2);
        run.Cluster.Simulation.Run(async () =>
        {
            await run.StartAsync(i => RoleOptions("c" + i));
            CzarCandidate first = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            long token = first.Czar.FencingToken;
            DateTimeOffset disposedAt = run.Cluster.Clock.GetUtcNow();
            await run.DisposeAsync(first);
            Assert.Contains(first.Changes, c => c.Reason == TubeCzarChangeReason.Released && c.FencingToken == token);
            CzarCandidate second = await run.WaitForCzarAsync(except: first, within: TimeSpan.FromSeconds(10));
            TimeSpan took = run.Cluster.Clock.GetUtcNow() - disposedAt;
            Assert.True(took < Lease, $"the next czar waited {took}, as if the lease had not been released");
            Assert.True(second.Czar.FencingToken > token);
            await run.StopAsync();
        });
        Assert.Equal(1, run.MostAtOnce);
    }

    [Fact]
    public void TheCzarKeepsItsRoleAndTokenAcrossARaftLeaderCrash()
    {
        // The original's Test809: tokens never go backwards across a Raft leader change. The election takes far less
        // than a tenure, so the holder renews through the new leader and keeps its role and token.
        var run = new CzarRun(seed: 14, candidates: 2);
        run.Cluster.Simulation.Run(async () =>
        {
            await run.StartAsync(i => RoleOptions("c" + i));
            CzarCandidate first = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            long token = first.Czar.FencingToken;
            int leader = await run.Cluster.WaitForLeaderAsync();
            run.Cluster.Crash(leader);
            int next = await run.Cluster.WaitForLeaderAsync();
            Assert.NotEqual(leader, next);
            await run.Cluster.DelayAsync(Lease * 2);
            Assert.True(first.Czar.IsCzar, "the czar lost its role over a leader change it should have outlived");
            Assert.Equal(token, first.Czar.FencingToken);
            await run.Cluster.RestartAsync(leader);
            await run.Cluster.DelayAsync(Lease);
            Assert.True(first.Czar.IsCzar);
            Assert.DoesNotContain(first.Changes, c => !c.IsCzar);
            await run.StopAsync();
        });
        Assert.Equal(1, run.MostAtOnce);
    }

    [Theory]
    [InlineData(400, 1)]
    [InlineData(0, 2)]
    public void ClockSkewWithinTheDriftBoundNeverMakesTwoHolders(int driftBoundMs, int expectedMostAtOnce)
    {
        // The holder's clock runs 2 % slow (so it believes in its tenure longer), and right after it is cut off the
        // leader's wall clock jumps 300 ms ahead (so the lease ends earlier in real time): 340 ms of disagreement
        // over one 2 s lease. With a 400 ms drift bound the holder gives up first; with none (the control), the
        // next czar is elected while the old one still believes it holds the role.
        var run = new CzarRun(seed: 13, candidates: 2);
        run.Cluster.Simulation.Run(async () =>
        {
            await run.StartAsync(i => RoleOptions("c" + i, TimeSpan.FromMilliseconds(driftBoundMs),
                TimeSpan.FromMilliseconds(200)));
            CzarCandidate first = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            SimUndo slow = run.Cluster.Network.SkewClock(first.Node, TimeSpan.Zero, -20_000);
            await run.Cluster.DelayAsync(Lease);
            Assert.True(first.Czar.IsCzar);
            int leader = await run.Cluster.WaitForLeaderAsync();
            SimUndo cut = run.Cluster.Network.Isolate(first.Node);
            SimUndo ahead = run.Cluster.Network.SkewClock(run.Cluster.Nodes[leader], TimeSpan.FromMilliseconds(300), 0);
            await run.WaitForCzarAsync(except: first, within: TimeSpan.FromSeconds(10));
            await run.Cluster.DelayAsync(Lease);
            ahead.Undo();
            cut.Undo();
            slow.Undo();
            await run.StopAsync();
        });
        Assert.Equal(expectedMostAtOnce, run.MostAtOnce);
    }

    [Fact]
    public void BadOptionsAreRefusedWithWhatToDo()
    {
        var client = new TubeClientOptions { Members = ["n1:7000"] };
        Assert.Contains("Role", Assert.Throws<ArgumentException>(() =>
            TubeCzar.Start(client, new TubeCzarOptions())).Message);
        Assert.Contains("Table", Assert.Throws<ArgumentException>(() =>
            TubeCzar.Start(client, new TubeCzarOptions { Role = "r", Table = "" })).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() =>
            TubeCzar.Start(client, new TubeCzarOptions { Role = "r", LeaseDuration = TimeSpan.Zero })).Message);
        Assert.Contains("ClockDriftBound", Assert.Throws<ArgumentException>(() =>
            TubeCzar.Start(client, new TubeCzarOptions { Role = "r", ClockDriftBound = TimeSpan.FromSeconds(-1) })).Message);
        Assert.Contains("renew more often", Assert.Throws<ArgumentException>(() => TubeCzar.Start(client,
            new TubeCzarOptions { Role = "r", LeaseDuration = TimeSpan.FromSeconds(2), RenewInterval = TimeSpan.FromSeconds(2) })).Message);
        Assert.Contains("renew more often", Assert.Throws<ArgumentException>(() => TubeCzar.Start(client,
            new TubeCzarOptions
            {
                Role = "r", LeaseDuration = TimeSpan.FromSeconds(2), RenewInterval = TimeSpan.FromSeconds(1),
                ClockDriftBound = TimeSpan.FromSeconds(1),
            })).Message);
        Assert.Contains("Members", Assert.Throws<ArgumentException>(() =>
            TubeCzar.Start(new TubeClientOptions(), new TubeCzarOptions { Role = "r" })).Message);
        Assert.Throws<ArgumentNullException>(() => TubeCzar.Start(client, new TubeCzarOptions { Role = "r", Candidate = null! }));
    }
}
