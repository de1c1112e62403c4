using System.Buffers.Binary;
using Rpc25519.Messages;

namespace Rpc25519.SimNet.Harness;

/// <summary>
/// The application of one cluster node: an RPC server with an "echo" function, one client per peer (reconnected on
/// demand), and a workload loop that calls random peers and checks every reply. All of it runs as the node's code, so
/// a power-off kills it; <see cref="Boot"/> starts it again on the node's new process.
/// </summary>
internal sealed class ClusterNode
{
    public const int Port = EchoServer.DefaultPort;
    public const string EchoService = EchoServer.Service;

    private readonly SimCluster _cluster;
    private readonly SimRandom _workload;
    private RpcClient?[] _clients;
    private int _bootedIncarnation = -1;

    public ClusterNode(SimCluster cluster, SimNode node, int index)
    {
        _cluster = cluster;
        Node = node;
        Index = index;
        _workload = cluster.Simulation.CreateRandom("workload/" + node.Name);
        _clients = new RpcClient?[cluster.Options.Nodes];
    }

    public SimNode Node { get; }

    public int Index { get; }

    /// <summary>The workload loop of the current incarnation.</summary>
    public Task Workload { get; private set; } = Task.CompletedTask;

    /// <summary>Starts the server and, unless the cluster is stopping, the workload, on the node's current process.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node's current process was already booted, or is dead.
    /// </exception>
    public Task Boot()
    {
        if (!Node.IsPoweredOn)
        {
            throw new InvalidOperationException($"Cannot boot {Node.Name}: it is powered off, so its code would " +
                "never run.");
        }
        if (_bootedIncarnation == Node.Incarnation)
        {
            throw new InvalidOperationException($"{Node.Name} incarnation {Node.Incarnation} is already booted; a " +
                "second boot would bind its port twice.");
        }
        _bootedIncarnation = Node.Incarnation;
        _clients = new RpcClient?[_cluster.Options.Nodes];
        return Node.Start(async () =>
        {
            await EchoServer.StartAsync(_cluster.Network, Node, Port);
            if (!_cluster.Stopping)
            {
                Workload = Node.Start(WorkloadLoopAsync);
            }
        });
    }

    /// <summary>Calls <paramref name="peer"/> until it answers or <paramref name="deadline"/> (virtual, global) passes.
    /// </summary>
    /// <returns>True when a correct answer came in time.</returns>
    public Task<bool> ProbeAsync(int peer, TimeSpan deadline) => Node.Start(async () =>
    {
        for (int attempt = 0; attempt < 1000 && _cluster.Simulation.Elapsed < deadline; attempt++)
        {
            if (await CallOnceAsync(peer, sequence: -1 - attempt) == CallOutcome.Succeeded)
            {
                // An answer that arrives after the deadline does not count.
                return _cluster.Simulation.Elapsed <= deadline;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), Node.TimeProvider);
        }
        return false;
    });

    private async Task WorkloadLoopAsync()
    {
        long sequence = 0;
        long thinkTicksMax = 2 * _cluster.Options.ThinkTimeMean.Ticks;
        while (!_cluster.Stopping)
        {
            await Task.Delay(TimeSpan.FromTicks(_workload.NextInt64(thinkTicksMax + 1)), Node.TimeProvider);
            int peer = (Index + 1 + _workload.Next(_cluster.Options.Nodes - 1)) % _cluster.Options.Nodes;
            CallOutcome outcome = await CallOnceAsync(peer, sequence++);
            _cluster.Count(outcome);
        }
    }

    private async Task<CallOutcome> CallOnceAsync(int peer, long sequence)
    {
        byte[] payload = new byte[_cluster.Options.PayloadBytes];
        BinaryPrimitives.WriteInt32LittleEndian(payload, Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(4), sequence);
        _workload.NextBytes(payload.AsSpan(12));
        var request = new Message { Payload = payload };
        request.Header.ServiceName = EchoService;
        TimeSpan start = _cluster.Simulation.Elapsed;
        SimNode peerNode = _cluster.Nodes[peer];
        try
        {
            RpcClient client = await ClientForAsync(peer);
            // A call made and answered while a partition cuts the two nodes (with no change of partitions in
            // between) would have crossed it.
            bool cut = _cluster.Network.IsPartitioned(Node, peerNode);
            long changes = _cluster.Network.PartitionChanges;
            Message reply = await client.CallAsync(request);
            if (cut && changes == _cluster.Network.PartitionChanges)
            {
                _cluster.Violation($"node {Node.Name} call #{sequence} to n{peer} was answered across a partition");
            }
            if (!reply.Payload.AsSpan().SequenceEqual(payload))
            {
                _cluster.Violation($"node {Node.Name} call #{sequence} to n{peer} got a reply with a different " +
                    "payload (cross-talk or corruption)");
            }
            return CallOutcome.Succeeded;
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // Timeouts and closed connections are the expected outcome of faults; a reconnect follows next time.
            return CallOutcome.Failed;
        }
        finally
        {
            TimeSpan took = _cluster.Simulation.Elapsed - start;
            if (took > (3 * _cluster.Options.CallTimeout) + TimeSpan.FromSeconds(3))
            {
                _cluster.Violation($"node {Node.Name} call #{sequence} to n{peer} took {took}, beyond every timeout");
            }
        }
    }

    private async Task<RpcClient> ClientForAsync(int peer)
    {
        RpcClient? client = _clients[peer];
        if (client is { IsConnected: true })
        {
            return client;
        }
        _clients[peer] = null;
        if (client is not null)
        {
            await client.DisposeAsync();
        }
        RpcOptions config = _cluster.Network.CreateOptions(Node);
        config.ServerAddress = $"n{peer}:{Port}";
        config.DefaultCallTimeout = _cluster.Options.CallTimeout;
        config.ConnectTimeout = _cluster.Options.CallTimeout;
        client = await RpcClient.ConnectAsync(config);
        _clients[peer] = client;
        return client;
    }
}
