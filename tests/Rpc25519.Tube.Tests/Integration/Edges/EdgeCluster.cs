using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines;

namespace Rpc25519.Tube.Tests.Integration.Edges;

/// <summary>Runs one test body against a fresh three-replica SimNet cluster, on the client node, with one client.</summary>
internal static class EdgeCluster
{
    public static void Run(ulong seed, Func<SimTubeCluster, TubeClient, Task> body,
        Func<StateMachineSet>? machines = null)
    {
        var cluster = machines is null
            ? new SimTubeCluster(seed)
            : new SimTubeCluster(seed) { CreateStateMachines = machines };
        cluster.Simulation.Run(async () =>
        {
            await cluster.StartAllAsync();
            await cluster.WaitForLeaderAsync();
            TubeClient client = await cluster.NewClientAsync();
            await cluster.OnClient(() => body(cluster, client));
            await cluster.OnClient(async () => await client.DisposeAsync());
            await cluster.StopAllAsync();
        });
    }
}
