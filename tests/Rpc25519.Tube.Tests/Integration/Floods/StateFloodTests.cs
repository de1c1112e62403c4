using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration.Floods;

/// <summary>A client fills the store through the whole stack: writes stop at MaxStateBytes with a typed refusal while
/// reads and deletes go on (and deletes make room again); a range without a limit over more than a frame of data is
/// refused as too large rather than sent; the replicas stay responsive throughout.</summary>
[Collection(WholeStackCollection.Name)]
public sealed class StateFloodTests
{
    private const int Frame = 128 * 1024;
    private const long StateMax = 256 * 1024;
    private const int PutsPerTxn = 100;

    [Fact]
    public void AStoreFilledToItsLimitRefusesGrowthTypedAndStillReadsDeletesAndScansInPages()
    {
        var cluster = new SimTubeCluster(35)
        {
            ConfigureReplica = o => o.Rpc.MaxFrameBytes = Frame,
            CreateStateMachines = () => StateMachineSet.WithKv(new StateMachineOptions { MaxStateBytes = StateMax }),
        };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            await using TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(async () =>
            {
                StateLimitException? full = null;
                int batches = 0;
                for (; batches < 50 && full is null; batches++)
                {
                    try
                    {
                        await client.TransactAsync("t", PutBatch(batches));
                    }
                    catch (StateLimitException e)
                    {
                        full = e;
                    }
                }

                Assert.NotNull(full);
                Assert.Contains("MaxStateBytes", full.Message);
                await Assert.ThrowsAsync<StateLimitException>(() => client.PutAsync("t", Key(99_999), [1]));
                Assert.NotNull(await client.GetAsync("t", Key(0)));

                // More than a frame of keys and values: refused with the way out, not cut and not left unanswered.
                var tooLarge = await Assert.ThrowsAsync<ValueTooLargeException>(
                    () => client.RangeAsync("t", [], null));
                Assert.Contains("limit", tooLarge.Message);
                KvResult page = await client.RangeAsync("t", [], null, limit: 100);
                Assert.Equal(100, page.Items!.Count);
                Assert.True(page.More);

                await client.TransactAsync("t", new KvTxn
                {
                    Success = [new KvTxnOp { Kind = KvTxnOpKind.DeleteRange, Key = Key(0), EndKey = Key(PutsPerTxn * 2) }],
                });
                await client.PutAsync("t", Key(99_999), [1]);
            });
            await cluster.AssertServesAsync();
            await cluster.StopAllAsync();
        });
    }

    private static byte[] Key(int i) => System.Text.Encoding.ASCII.GetBytes($"key{i:D8}");

    private static KvTxn PutBatch(int batch) => new()
    {
        Success = [.. Enumerable.Range(batch * PutsPerTxn, PutsPerTxn).Select(i => new KvTxnOp
        {
            Kind = KvTxnOpKind.Put, Key = Key(i), Value = new byte[200],
        })],
    };
}
