using System.Text;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Tests.Integration;

namespace Rpc25519.Tube.Tests.Client;

/// <summary>
/// <see cref="TubeCzar"/> under faults, three candidates on three nodes: leadership moving under the czar, the czar
/// cut off, and a cluster with no quorum. Tenures are checked against the role's writes in the log
/// (<see cref="CzarLogWatch"/>) as well as by the monitor of <see cref="CzarRun"/>.
/// </summary>
[Collection(WholeStackCollection.Name)]
public sealed class TubeCzarFaultTests
{
    private static readonly TimeSpan Lease = TubeCzarTests.Lease;

    private static string Name(CzarCandidate c) => "c" + c.Index;

    [Fact]
    public void TheCzarOutlivesATransferAndACrashAndACutOffCzarIsReplacedOnlyAfterItLetGo()
    {
        var run = new CzarRun(seed: 31, candidates: 3);
        run.Cluster.Simulation.Run(async () =>
        {
            await run.StartAsync(i => TubeCzarTests.RoleOptions("c" + i));
            CzarLogWatch log = await CzarLogWatch.StartAsync(run.Cluster, "czar", "leader");
            CzarCandidate first = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            long token = first.Czar.FencingToken;

            // Leadership moves by transfer, then by a crash: renewals go on through each new leader.
            TubeClient admin = await run.Cluster.NewClientAsync();
            int leader = await run.Cluster.WaitForLeaderAsync();
            int target = (leader + 1) % 3;
            await run.Cluster.OnClient(() => admin.TransferLeadershipAsync(run.Cluster.Ids[target]));
            Assert.Equal(target, await run.Cluster.WaitForLeaderAsync());
            await run.Cluster.DelayAsync(Lease * 2);
            Assert.True(first.Czar.IsCzar, "the czar lost its role over a leadership transfer");
            run.Cluster.Crash(target);
            Assert.NotEqual(target, await run.Cluster.WaitForLeaderAsync());
            await run.Cluster.DelayAsync(Lease * 2);
            Assert.True(first.Czar.IsCzar, "the czar lost its role over a leader crash");
            Assert.Equal(token, first.Czar.FencingToken);
            Assert.DoesNotContain(first.Changes, c => !c.IsCzar);
            await run.Cluster.RestartAsync(target);

            // The czar is cut off: it must say it lost the role no later than another is elected, and the new
            // tenure's token is larger.
            SimUndo cut = run.Cluster.Network.Isolate(first.Node);
            CzarCandidate second = await run.WaitForCzarAsync(except: first, within: TimeSpan.FromSeconds(10));
            long next = second.Czar.FencingToken;
            Assert.True(next > token, $"token {next} after {token}");
            await run.Cluster.DelayAsync(TimeSpan.FromMilliseconds(50));
            DateTimeOffset? lost = first.LostAt(token);
            DateTimeOffset? elected = second.ElectedAt(next);
            Assert.NotNull(lost);
            Assert.NotNull(elected);
            Assert.True(lost <= elected, $"the old czar heard of its loss at {lost:HH:mm:ss.fff}, after the new one " +
                $"was elected at {elected:HH:mm:ss.fff}");
            Assert.Equal(TubeCzarChangeReason.Expired, first.Changes.Single(c => !c.IsCzar).Reason);
            cut.Undo();
            await run.Cluster.DelayAsync(Lease * 2);
            Assert.True(second.Czar.IsCzar);

            await log.StopAfterAsync(next);
            log.AssertTenuresMatchTheLog(run.Candidates, Name);
            Assert.Contains(log.Puts, p => p.Index == next && p.Writer == Name(second));
            await run.Cluster.OnClient(async () => await admin.DisposeAsync());
            await run.StopAsync();
        });
        Assert.Equal(1, run.MostAtOnce);
    }

    [Fact]
    public void ACzarWhoseRenewalsFindNoQuorumReportsExpiryAndNobodyHoldsTheRole()
    {
        var run = new CzarRun(seed: 32, candidates: 3);
        run.Cluster.Simulation.Run(async () =>
        {
            await run.StartAsync(i => TubeCzarTests.RoleOptions("c" + i));
            CzarCandidate first = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            long token = first.Czar.FencingToken;

            // Two of the three replicas drop off: the czar still reaches one, but no renewal can commit.
            int leader = await run.Cluster.WaitForLeaderAsync();
            SimUndo a = run.Cluster.Network.Isolate(run.Cluster.Nodes[leader]);
            SimUndo b = run.Cluster.Network.Isolate(run.Cluster.Nodes[(leader + 1) % 3]);
            DateTimeOffset cutAt = run.Cluster.Clock.GetUtcNow();
            for (int i = 0; i < 300 && first.LostAt(token) is null; i++)
            {
                await run.Cluster.DelayAsync(TimeSpan.FromMilliseconds(10));
            }

            DateTimeOffset? lost = first.LostAt(token);
            Assert.NotNull(lost);
            // Its tenure runs from the last renewal it sent (before the cut) to LeaseDuration - ClockDriftBound later.
            TimeSpan tenure = Lease - TubeCzarTests.RoleOptions("x").ClockDriftBound;
            Assert.True(lost - cutAt <= tenure + TimeSpan.FromMilliseconds(20),
                $"the czar kept its standing {lost - cutAt} after the quorum was gone");
            Assert.Equal(TubeCzarChangeReason.Expired, first.Changes.Last().Reason);
            Assert.False(first.Czar.IsCzar);
            await run.Cluster.DelayAsync(Lease * 2);
            Assert.All(run.Candidates, c => Assert.False(c.Czar.IsCzar, $"c{c.Index} holds the role without a quorum"));

            // Healed: a czar again, with a new tenure (the old lease ran out in log time meanwhile).
            b.Undo();
            a.Undo();
            CzarCandidate again = await run.WaitForCzarAsync(except: null, within: TimeSpan.FromSeconds(10));
            Assert.True(again.Czar.FencingToken > token, $"token {again.Czar.FencingToken} after {token}");
            await run.StopAsync();
        });
        Assert.Equal(1, run.MostAtOnce);
    }
}
