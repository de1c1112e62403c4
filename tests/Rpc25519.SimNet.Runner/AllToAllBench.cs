using Rpc25519.Messages;
using Rpc25519.SimNet.Harness;

namespace Rpc25519.SimNet.Runner;

/// <summary>The result of one benchmark run.</summary>
internal sealed record BenchResult(long Calls, long Messages, TimeSpan Virtual, long Steps, ulong Hash);

/// <summary>
/// The original simnet's load shape on the real stack: every node calls every peer once per virtual millisecond
/// (an echo RPC through RpcClient/RpcServer, framing and MessagePack), for a number of rounds; no faults.
/// </summary>
internal static class AllToAllBench
{
    public static BenchResult Run(ulong seed, int nodeCount, int rounds, EscapeChecks checks = EscapeChecks.Default)
    {
        var sim = new Simulation(new SimulationOptions
        {
            Seed = seed, StepsMax = long.MaxValue / 2, VirtualTimeMax = TimeSpan.FromDays(30), EscapeChecks = checks,
        });
        var net = new SimNetwork(sim, new SimNetworkOptions { HashPayloads = false });
        var nodes = new List<SimNode>();
        for (int i = 0; i < nodeCount; i++)
        {
            nodes.Add(sim.AddNode($"n{i}"));
        }
        long completed = 0;
        sim.Run(async () =>
        {
            foreach (SimNode node in nodes)
            {
                await EchoServer.StartAsync(net, node);
            }
            var loops = new List<Task>();
            foreach (SimNode node in nodes)
            {
                foreach (SimNode peer in nodes)
                {
                    if (!ReferenceEquals(node, peer))
                    {
                        loops.Add(node.Start(() => CallLoop(net, node, peer, rounds, () => completed++)));
                    }
                }
            }
            await Task.WhenAll(loops);
        });
        return new BenchResult(completed, net.Counters.Delivered, sim.Elapsed, sim.Steps, sim.TraceHash);
    }

    private static async Task CallLoop(SimNetwork net, SimNode node, SimNode peer, int rounds, Action done)
    {
        RpcOptions config = net.CreateOptions(node);
        config.ServerAddress = $"{peer.Name}:5000";
        RpcClient client = await RpcClient.ConnectAsync(config);
        byte[] payload = new byte[16];
        var outstanding = new List<Task>(16);
        for (int round = 0; round < rounds; round++)
        {
            outstanding.Add(CallOnce(client, payload, done));
            if (outstanding.Count == 16)
            {
                await Task.WhenAll(outstanding);
                outstanding.Clear();
            }
            await Task.Delay(TimeSpan.FromMilliseconds(1), node.TimeProvider);
        }
        await Task.WhenAll(outstanding);
    }

    private static async Task CallOnce(RpcClient client, byte[] payload, Action done)
    {
        var request = new Message { Payload = payload };
        request.Header.ServiceName = "echo";
        await client.CallAsync(request);
        done();
    }
}
