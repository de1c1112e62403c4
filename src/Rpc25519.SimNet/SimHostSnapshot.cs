namespace Rpc25519.SimNet;

/// <summary>One node's network state in a snapshot.</summary>
/// <param name="Name">Node name.</param>
/// <param name="PoweredOn">Power state.</param>
/// <param name="Incarnation">Power cycles so far.</param>
/// <param name="Isolated">Isolation state.</param>
/// <param name="DropSendProbability">Host-level drop probability (inherited by new connections).</param>
/// <param name="DeafReadProbability">Host-level deaf probability (inherited by new connections).</param>
/// <param name="ClockOffset">Wall-clock skew.</param>
/// <param name="ClockDriftPartsPerMillion">Clock rate skew.</param>
/// <param name="LatencySpike">Extra one-way latency.</param>
/// <param name="DuplicateProbability">Duplicate fault probability.</param>
/// <param name="ReorderProbability">Reorder fault probability.</param>
/// <param name="ListeningPorts">Bound ports, ascending.</param>
/// <param name="Connections">Open connection ends, in creation order.</param>
/// <param name="LostSends">Messages it sent that were lost, oldest first.</param>
/// <param name="DeafReads">Messages it did not hear, oldest first.</param>
public sealed record SimHostSnapshot(string Name, bool PoweredOn, int Incarnation, bool Isolated,
    double DropSendProbability, double DeafReadProbability, TimeSpan ClockOffset, double ClockDriftPartsPerMillion,
    TimeSpan LatencySpike, double DuplicateProbability, double ReorderProbability, IReadOnlyList<int> ListeningPorts,
    IReadOnlyList<SimConnectionSnapshot> Connections, IReadOnlyList<SimMessageSnapshot> LostSends,
    IReadOnlyList<SimMessageSnapshot> DeafReads);
