namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// The links between replicas, one <see cref="FaultRelay"/> per ordered pair: replica i reaches replica j only through
/// relay (i, j), because i's config names that relay as j's address (<see cref="AddressBookOf"/>). Clients reach the
/// replicas directly, as clients on the majority's side of a partition would. Works the same on every machine (no
/// root, no namespaces).
/// </summary>
internal sealed class RelayMesh : IPartitioner
{
    private readonly IReadOnlyList<string> names;
    private readonly IReadOnlyDictionary<string, string> listen;
    private readonly Dictionary<(int From, int To), FaultRelay> relays = [];

    /// <param name="listen">Each replica's name and the address it listens on.</param>
    public RelayMesh(IReadOnlyDictionary<string, string> listen)
    {
        this.listen = listen;
        names = [.. listen.Keys];
        for (int from = 0; from < names.Count; from++)
        {
            for (int to = 0; to < names.Count; to++)
            {
                if (from != to)
                {
                    relays[(from, to)] = new FaultRelay(listen[names[to]]);
                }
            }
        }
    }

    public string Kind => "relays on loopback";

    public bool CutsClients => false;

    public string ClientAddress(int index) => listen[names[index]];

    public IReadOnlyList<string>? Launcher(int index) => null;

    /// <summary>The Node2Addr of replica <paramref name="index"/>: its own listen address, and for every other
    /// replica the relay that carries this replica's messages to it.</summary>
    public IReadOnlyDictionary<string, string> AddressBookOf(int index) =>
        names.Select((name, j) => (name, j)).ToDictionary(p => p.name,
            p => p.j == index ? listen[p.name] : relays[(index, p.j)].Address);

    /// <summary>Cuts every link to and from replica <paramref name="index"/>.</summary>
    public void Isolate(int index)
    {
        foreach (var ((from, to), relay) in relays)
        {
            if (from == index || to == index)
            {
                relay.Cut();
            }
        }
    }

    /// <summary>Cuts the messages from <paramref name="from"/> to <paramref name="to"/> only; the other way still
    /// works.</summary>
    public void CutOneWay(int from, int to) => relays[(from, to)].Cut();

    /// <summary>True while any link is cut.</summary>
    public bool AnyCut => relays.Values.Any(r => r.IsCut);

    public void HealAll()
    {
        foreach (FaultRelay relay in relays.Values)
        {
            relay.Heal();
        }
    }

    public void Dispose()
    {
        foreach (FaultRelay relay in relays.Values)
        {
            relay.Dispose();
        }
    }
}
