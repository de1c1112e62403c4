namespace Rpc25519.SimNet;

/// <summary>Observation: counters and immutable snapshots.</summary>
public sealed partial class SimNetwork
{
    /// <summary>The network totals now.</summary>
    public SimNetworkCounters Counters => new(_sent, _sentBytes, _delivered, _deliveredBytes, _dropped, _deaf,
        _duplicated, _resets, _overflows, _connects, _connectsRefused);

    /// <summary>
    /// Checks the loss ledger: every data message that sits in a lost or deaf queue was counted as dropped or deaf
    /// when it was lost (re-sent ones leave the queues; forgotten ones only make the queues shorter), so the
    /// counters can never be below the queues.
    /// </summary>
    /// <returns>A description of the mismatch, or null when the ledger holds.</returns>
    public string? CheckLossLedger()
    {
        long queued = 0;
        foreach (SimNode node in _simulation.Nodes)
        {
            SimHost host = HostOf(node);
            queued += host.LostSends.Count(m => m.Kind == SimMessageKind.Data);
            queued += host.DeafReads.Count(m => m.Kind == SimMessageKind.Data);
        }
        return _dropped + _deaf >= queued ? null
            : $"loss ledger: {queued} lost data messages are queued, but only {_dropped} dropped + {_deaf} deaf " +
                "were counted";
    }

    /// <summary>Takes an immutable view of every node's network state, the counters, virtual time, seed and trace
    /// hash. Costs a copy of the lost queues; meant for assertions and failure reports, not per step.</summary>
    public SimNetworkSnapshot Snapshot()
    {
        var hosts = new List<SimHostSnapshot>();
        foreach (SimNode node in _simulation.Nodes)
        {
            SimHost host = HostOf(node);
            hosts.Add(new SimHostSnapshot(node.Name, node.IsPoweredOn, node.Incarnation, host.Isolated,
                host.DropSendProbability, host.DeafReadProbability, node.TimeProvider.Offset,
                node.TimeProvider.DriftPartsPerMillion, TimeSpan.FromTicks(host.LatencySpikeTicks),
                host.DuplicateProbability, host.ReorderProbability, host.Listeners.Keys.ToArray().AsReadOnly(),
                host.Connections.Select(c => new SimConnectionSnapshot(c.Id, c.LocalAddress, c.RemoteAddress,
                    c.DropSendProbability, c.DeafReadProbability, c.InFlightCount, c.IsStalled, c.OutputEnded))
                    .ToArray().AsReadOnly(),
                Messages(host.LostSends), Messages(host.DeafReads)));
        }
        return new SimNetworkSnapshot(_simulation.Seed, _simulation.Elapsed, _simulation.Steps,
            _simulation.TraceHash, Counters, hosts.AsReadOnly());
    }

    private static IReadOnlyList<SimMessageSnapshot> Messages(LinkedList<SimMessage> queue) =>
        queue.Select(m => new SimMessageSnapshot(m.Id, m.Origin.LocalAddress, m.Origin.RemoteAddress, m.Length,
            TimeSpan.FromTicks(m.SentTicks), m.LostReason, m.IsDuplicate)).ToArray().AsReadOnly();
}
