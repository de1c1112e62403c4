namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Tests with real sockets, timers and files run alone and after the simulations
/// (<see cref="RealSocketsLastOrderer"/>): what they leave running for a moment after they end would count against a
/// simulation's process-wide real-timer check.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealSocketsCollection
{
    public const string Name = "Tube real sockets";
}
