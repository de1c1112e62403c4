using Rpc25519.Tube.Tests.Harness;
using Xunit.Abstractions;

namespace Rpc25519.Tube.Tests;

public sealed class SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void SingleSeedRuns()
    {
        var result = ClusterSimulation.RunSeed(1);
        output.WriteLine(result.ToString());
        Assert.True(result.Passed, result.ToString());
    }
}
