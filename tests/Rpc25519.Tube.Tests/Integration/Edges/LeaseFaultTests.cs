using System.Text;
using Rpc25519.SimNet;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>A lease whose holder is cut off: the key stays refused until the lease ends in log time, the next grant
/// has a larger fencing token, and the old holder, back again, is fenced off by its old token.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class LeaseFaultTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ACutOffHoldersKeyIsRefusedUntilItsLeaseEndsThenTheOldHolderIsFencedOff()
    {
        var cluster = new SimTubeCluster(seed: 61);
        SimNode holderNode = cluster.Simulation.AddNode("holder");
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            TubeClient holder = await holderNode.Start(() => Task.FromResult(new TubeClient(new TubeClientOptions
            {
                Members = [.. cluster.Members.Values],
                Rpc = cluster.Network.CreateOptions(holderNode),
                AttemptTimeout = TimeSpan.FromMilliseconds(400),
            })));
            TubeClient other = await cluster.NewClientAsync();
            KvItem granted = await holderNode.Start(() => holder.PutAsync("t", B("lock"), B("h"), TimeSpan.FromSeconds(2)));
            SimUndo cut = cluster.Network.Isolate(holderNode);

            // Refused, naming the holder, for as long as the lease lasts in log time (the virtual wall clock is the
            // leader's stamp here: no skew).
            int refusals = 0;
            KvItem? taken = null;
            for (int i = 0; i < 100 && taken is null; i++)
            {
                try
                {
                    taken = await cluster.OnClient(() => other.PutAsync("t", B("lock"), B("o"), TimeSpan.FromSeconds(30)));
                }
                catch (KeyLeasedException e)
                {
                    refusals++;
                    Assert.Equal(holder.SessionId, e.Current!.LeaseSession);
                    Assert.Contains($"leased by session {holder.SessionId}", e.Message);
                    await cluster.DelayAsync(TimeSpan.FromMilliseconds(100));
                }
            }

            Assert.NotNull(taken);
            long takenAtMs = cluster.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            Assert.True(refusals >= 10, $"only {refusals} refusals in a 2 s lease");
            Assert.True(takenAtMs >= granted.LeaseUntilMs, $"taken at {takenAtMs}, lease until {granted.LeaseUntilMs}");
            Assert.True(takenAtMs <= granted.LeaseUntilMs + 500, $"taken at {takenAtMs}, lease until {granted.LeaseUntilMs}");
            Assert.True(taken.FencingToken > granted.FencingToken);
            Assert.Equal(other.SessionId, taken.LeaseSession);

            // The old holder comes back: its old token no longer holds, and a plain write meets the new lease.
            cut.Undo();
            var fenced = await holderNode.Start(() => Assert.ThrowsAsync<CasMismatchException>(() =>
                holder.CompareAndSwapAsync("t", B("lock"), B("late"), expectedFencingToken: granted.FencingToken)));
            Assert.Equal(taken.FencingToken, fenced.Current!.FencingToken);
            await holderNode.Start(() => Assert.ThrowsAsync<KeyLeasedException>(() => holder.PutAsync("t", B("lock"), B("late"))));
            KvItem? now = await cluster.OnClient(() => other.GetAsync("t", B("lock")));
            Assert.Equal("o", Encoding.UTF8.GetString(now!.Value!));
            await holderNode.Start(async () => await holder.DisposeAsync());
            await cluster.OnClient(async () => await other.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }
}
