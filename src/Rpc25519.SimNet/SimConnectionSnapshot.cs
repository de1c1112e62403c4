namespace Rpc25519.SimNet;

/// <summary>One open connection end in a snapshot.</summary>
/// <param name="Id">Network-wide number of the end.</param>
/// <param name="LocalAddress">Its address.</param>
/// <param name="RemoteAddress">The peer's address.</param>
/// <param name="DropSendProbability">Its drop probability.</param>
/// <param name="DeafReadProbability">Its deaf probability.</param>
/// <param name="InFlight">Messages in flight from it.</param>
/// <param name="Stalled">True when its direction is stalled (stream loss model).</param>
/// <param name="OutputEnded">True once it sent its FIN.</param>
public sealed record SimConnectionSnapshot(long Id, string LocalAddress, string RemoteAddress,
    double DropSendProbability, double DeafReadProbability, int InFlight, bool Stalled, bool OutputEnded);
