using System.Text;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>The check the hostile-input tests end with. Kept out of <see cref="SimTubeCluster"/>, which the benchmark
/// project compiles too and which must not depend on xunit.</summary>
internal static class ClusterServesCheck
{
    /// <summary>Checks that the cluster still serves after something hostile: a new client's put and linearizable
    /// get of one key go through, and no running replica's host loop has stopped.</summary>
    public static async Task AssertServesAsync(this SimTubeCluster cluster)
    {
        byte[] key = Encoding.UTF8.GetBytes("k"), value = Encoding.UTF8.GetBytes("v");
        await using TubeClient client = await cluster.NewClientAsync();
        await cluster.OnClient(async () =>
        {
            await client.PutAsync("served", key, value);
            KvItem? read = await client.GetAsync("served", key);
            Assert.Equal(value, read!.Value);
        });
        for (int i = 0; i < cluster.Ids.Length; i++)
        {
            if (cluster.Replica(i) is { } replica)
            {
                Assert.False(replica.Completion.IsCompleted,
                    $"replica {i} stopped: {replica.Completion.Exception?.GetBaseException()}");
            }
        }
    }
}
