using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>Leases and fencing tokens as two TubeClients (two sessions) see them on a running SimNet cluster.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class LeaseEdgeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void ALeaseThatIsNotPositiveIsRefusedAndTakesNothing()
    {
        EdgeCluster.Run(seed: 41, async (cluster, client) =>
        {
            await Assert.ThrowsAsync<InvalidCommandException>(
                () => client.PutAsync("t", B("k"), B("v"), TimeSpan.Zero));
            await Assert.ThrowsAsync<InvalidCommandException>(
                () => client.PutAsync("t", B("k"), B("v"), TimeSpan.FromSeconds(-1)));
            await Assert.ThrowsAsync<InvalidCommandException>(
                () => client.CompareAndSwapAsync("t", B("k"), B("v"), expectedVersion: 0, lease: TimeSpan.Zero));
            await Assert.ThrowsAsync<InvalidCommandException>(
                () => client.PutAsync("t", B("k"), B("v"), TimeSpan.FromDays(1)));
            // The refusals wrote nothing, not even the table.
            await Assert.ThrowsAsync<TableNotFoundException>(() => client.GetAsync("t", B("k")));

            KvItem leased = await client.PutAsync("t", B("k"), B("v"), TimeSpan.FromTicks(1));
            Assert.Equal(1, leased.Version);
            Assert.Equal(client.SessionId, leased.LeaseSession);
        });
    }

    [Fact]
    public void AnotherSessionIsToldWhoHoldsTheLeaseUntilItIsReleased()
    {
        EdgeCluster.Run(seed: 42, async (cluster, holder) =>
        {
            await using TubeClient other = await cluster.NewClientAsync();
            KvItem granted = await holder.PutAsync("t", B("lock"), B("h"), Long);
            Assert.True(granted.FencingToken > 0);

            var refused = await Assert.ThrowsAsync<KeyLeasedException>(() => other.PutAsync("t", B("lock"), B("o")));
            Assert.Contains($"leased by session {holder.SessionId}", refused.Message);
            Assert.Equal(holder.SessionId, refused.Current!.LeaseSession);
            Assert.Equal("h", Encoding.UTF8.GetString(refused.Current.Value!));
            await Assert.ThrowsAsync<KeyLeasedException>(() => other.DeleteAsync("t", B("lock")));
            await Assert.ThrowsAsync<KeyLeasedException>(
                () => other.CompareAndSwapAsync("t", B("lock"), B("o"), expectedVersion: 1));
            await Assert.ThrowsAsync<KeyLeasedException>(() => other.DropTableAsync("t"));
            await Assert.ThrowsAsync<KeyLeasedException>(() => other.RenameTableAsync("t", "u"));
            await Assert.ThrowsAsync<NotLeaseHolderException>(() => other.ReleaseLeaseAsync("t", B("lock")));
            await holder.PutAsync("t", B("free"), B("x"));
            await Assert.ThrowsAsync<NotLeaseHolderException>(() => other.ReleaseLeaseAsync("t", B("free")));
            await Assert.ThrowsAsync<NotLeaseHolderException>(() => other.ReleaseLeaseAsync("t", B("absent")));

            // The holder writes freely and keeps its token; the other session's own requests still work.
            KvItem renewed = await holder.PutAsync("t", B("lock"), B("h2"), Long);
            Assert.Equal(granted.FencingToken, renewed.FencingToken);
            Assert.Equal(1, (await other.PutAsync("t", B("mine"), B("o"))).Version);

            await holder.ReleaseLeaseAsync("t", B("lock"));
            await Assert.ThrowsAsync<NotLeaseHolderException>(() => holder.ReleaseLeaseAsync("t", B("lock")));
            KvItem taken = await other.PutAsync("t", B("lock"), B("o"), Long);
            Assert.True(taken.FencingToken > granted.FencingToken);
            Assert.Equal(other.SessionId, taken.LeaseSession);
        });
    }

    [Fact]
    public void FencingTokensGrowAcrossReleaseExpiryAndDeleteAndFenceOffTheOldHolder()
    {
        EdgeCluster.Run(seed: 43, async (cluster, first) =>
        {
            await using TubeClient second = await cluster.NewClientAsync();
            var tokens = new List<long>();
            KvItem a = await first.PutAsync("t", B("k"), B("1"), TimeSpan.FromMilliseconds(200));
            tokens.Add(a.FencingToken);

            // After the lease runs out in log time, another session is granted the key with a larger token.
            KvItem b = await RetryWhileLeasedAsync(cluster,
                () => second.PutAsync("t", B("k"), B("2"), TimeSpan.FromMilliseconds(200)));
            tokens.Add(b.FencingToken);

            // The old holder, past its lease, is fenced off by its token.
            var fenced = await Assert.ThrowsAsync<CasMismatchException>(() =>
                first.CompareAndSwapAsync("t", B("k"), B("late"), expectedFencingToken: a.FencingToken));
            Assert.Equal(b.FencingToken, fenced.Current!.FencingToken);
            KvItem ok = await second.CompareAndSwapAsync("t", B("k"), B("3"), expectedFencingToken: b.FencingToken);
            Assert.Equal(b.FencingToken, ok.FencingToken);

            await second.ReleaseLeaseAsync("t", B("k"));
            tokens.Add((await first.PutAsync("t", B("k"), B("4"), Long)).FencingToken);
            await first.DeleteAsync("t", B("k"));
            tokens.Add((await second.PutAsync("t", B("k"), B("5"), Long)).FencingToken);

            Assert.Equal(tokens.Order(), tokens);
            Assert.Equal(tokens.Count, tokens.Distinct().Count());
        });
    }

    [Fact]
    public void EveryMemberAgreesOnALeaseWhateverItsOwnClockSays()
    {
        EdgeCluster.Run(seed: 44, async (cluster, holder) =>
        {
            int leader = await cluster.WaitForLeaderAsync();
            cluster.Network.SkewClock(cluster.Nodes[(leader + 1) % 3], TimeSpan.FromHours(1), 0);
            cluster.Network.SkewClock(cluster.Nodes[(leader + 2) % 3], -TimeSpan.FromHours(1), 0);
            KvItem granted = await holder.PutAsync("t", B("k"), B("h"), TimeSpan.FromSeconds(2));
            await cluster.WaitForConvergenceAsync();

            // A member that judged leases by its own clock would see this one as over (an hour ahead) or far from
            // over (an hour behind); each serves what the log says.
            for (int i = 0; i < 3; i++)
            {
                await using TubeClient pinned = await cluster.NewClientAsync(members: [cluster.Address(i)]);
                KvItem? seen = await pinned.GetAsync("t", B("k"), ReadMode.Stale);
                Assert.Equal((holder.SessionId, granted.LeaseUntilMs), (seen!.LeaseSession, seen.LeaseUntilMs));
            }

            await using TubeClient other = await cluster.NewClientAsync();
            await Assert.ThrowsAsync<KeyLeasedException>(() => other.PutAsync("t", B("k"), B("o")));
            KvItem taken = await RetryWhileLeasedAsync(cluster, () => other.PutAsync("t", B("k"), B("o"), Long));
            Assert.True(taken.FencingToken > granted.FencingToken);
            await cluster.WaitForConvergenceAsync();
        });
    }

    private static async Task<KvItem> RetryWhileLeasedAsync(SimTubeCluster cluster, Func<Task<KvItem>> write)
    {
        for (int i = 0; i < 50; i++)
        {
            try
            {
                return await write();
            }
            catch (KeyLeasedException)
            {
                await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(50));
            }
        }

        throw new TimeoutException("The lease never ended in log time.");
    }
}
