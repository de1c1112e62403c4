using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Rpc25519.Tube.Tests.Integration.RealSocketsLastOrderer", "Rpc25519.Tube.Tests")]

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Orders test collections by name, with <see cref="RealSocketsCollection"/> last.</summary>
public sealed class RealSocketsLastOrderer : ITestCollectionOrderer
{
    /// <inheritdoc/>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => c.DisplayName.Contains(RealSocketsCollection.Name, StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
