namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// The whole-stack tests run alone, after every parallel test of this assembly: SimNet's escape detector counts real
/// timers process-wide, so a test with real sockets and timers running beside a simulation would fail it. Tests with
/// real sockets go in <see cref="RealSocketsCollection"/>, which runs after this one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeStackCollection
{
    public const string Name = "Tube whole stack";
}
