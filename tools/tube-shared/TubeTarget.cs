using Rpc25519.Tube.Hosting;

namespace Rpc25519.Tools;

/// <summary>The cluster a client tool talks to: the client settings, and the config when one was read (it names the
/// nodes).</summary>
internal sealed record TubeTarget(Rpc25519.Tube.Client.TubeClientOptions Options, TubeConfig? Config)
{
    /// <summary>A node's name from the config, else <c>#</c> and its id.</summary>
    public string NameOf(ulong id)
    {
        if (id == 0)
        {
            return "-";
        }

        string? name = Config?.Node2Addr.Keys.FirstOrDefault(n => TubeConfig.NodeIdOf(n) == id);
        return name ?? "#" + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The node id and address of a name: from the config when it lists the name, else the id the name
    /// maps to and no address.</summary>
    public (ulong Id, string? Address) Resolve(string name) =>
        Config is not null && Config.Node2Addr.ContainsKey(name)
            ? (TubeConfig.NodeIdOf(name), Config.AddressOf(name))
            : (TubeConfig.NodeIdOf(name), null);
}
