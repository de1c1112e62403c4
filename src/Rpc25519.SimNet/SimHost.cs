namespace Rpc25519.SimNet;

/// <summary>
/// The network state of one node: listeners, connection ends, and the faults that belong to the machine rather than
/// to a process, so they survive power cycles (isolation, host drop/deaf probabilities inherited by new connections,
/// latency spikes, duplication, reordering), plus the queues of messages it lost.
/// </summary>
/// <remarks>Simulation thread only.</remarks>
internal sealed class SimHost
{
    private const int EphemeralPortFirst = 49152;

    private readonly int _lostMessagesMax;
    private int _nextEphemeralPort = EphemeralPortFirst;

    public SimHost(SimNode node, int lostMessagesMax)
    {
        Node = node;
        _lostMessagesMax = lostMessagesMax;
    }

    public SimNode Node { get; }

    public string Name => Node.Name;

    public SortedDictionary<int, SimListener> Listeners { get; } = [];

    /// <summary>Connection ends of the current incarnation, in creation order.</summary>
    public List<SimConnection> Connections { get; } = [];

    public bool Isolated { get; set; }

    /// <summary>Host-level drop probability, copied into connections made later.</summary>
    public double DropSendProbability { get; set; }

    /// <summary>Host-level deaf probability, copied into connections made later.</summary>
    public double DeafReadProbability { get; set; }

    /// <summary>Extra one-way latency of every message to or from this host.</summary>
    public long LatencySpikeTicks { get; set; }

    /// <summary>Chance that a message this host sends is delivered twice.</summary>
    public double DuplicateProbability { get; set; }

    /// <summary>Chance that a message this host sends overtakes those sent before it on its connection.</summary>
    public double ReorderProbability { get; set; }

    /// <summary>Messages this host sent that the network lost, oldest first.</summary>
    public LinkedList<SimMessage> LostSends { get; } = new();

    /// <summary>Messages that reached this host and were not heard, oldest first.</summary>
    public LinkedList<SimMessage> DeafReads { get; } = new();

    /// <summary>Lost or deaf messages forgotten because a queue was full.</summary>
    public long LostForgotten { get; private set; }

    public int AllocatePort()
    {
        for (int i = 0; i < 65536 - EphemeralPortFirst; i++)
        {
            int port = _nextEphemeralPort;
            _nextEphemeralPort = port == 65535 ? EphemeralPortFirst : port + 1;
            if (!Listeners.ContainsKey(port))
            {
                return port;
            }
        }
        throw new RpcTransportException($"Host '{Name}' has no free port left.");
    }

    public void AddLost(LinkedList<SimMessage> queue, SimMessage message)
    {
        queue.AddLast(message);
        if (queue.Count > _lostMessagesMax)
        {
            queue.RemoveFirst();
            LostForgotten++;
        }
    }
}
