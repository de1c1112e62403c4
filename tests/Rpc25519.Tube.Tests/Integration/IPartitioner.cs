namespace Rpc25519.Tube.Tests.Integration;

/// <summary>How a process fault test wires three replicas so it can partition them: <see cref="RelayMesh"/> (relays
/// on loopback, any user) or <see cref="NetnsMesh"/> (network namespaces and veth pairs, as root).</summary>
internal interface IPartitioner : IDisposable
{
    /// <summary>What the partitions are made of, for the test's log.</summary>
    string Kind { get; }

    /// <summary>True when an isolated replica is cut off from the test's clients too (not only from its peers).</summary>
    bool CutsClients { get; }

    /// <summary>The address clients use for replica <paramref name="index"/> (where it listens).</summary>
    string ClientAddress(int index);

    /// <summary>The Node2Addr of replica <paramref name="index"/>'s config.</summary>
    IReadOnlyDictionary<string, string> AddressBookOf(int index);

    /// <summary>The command that runs replica <paramref name="index"/> in place, or null to run it directly.</summary>
    IReadOnlyList<string>? Launcher(int index);

    /// <summary>Cuts every link to and from replica <paramref name="index"/>.</summary>
    void Isolate(int index);

    /// <summary>Restores every link.</summary>
    void HealAll();
}
