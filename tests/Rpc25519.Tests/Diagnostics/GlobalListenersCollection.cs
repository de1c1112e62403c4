namespace Rpc25519.Tests.Diagnostics;

/// <summary>Tests that install process-wide listeners (an <see cref="System.Diagnostics.ActivityListener"/> makes every
/// call in the process carry a trace context) run alone, so that they neither see nor change other tests' calls.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalListenersCollection
{
    public const string Name = "Global listeners";
}
