using System.Net;
using System.Net.Sockets;
using Rpc25519.Security;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>A temporary directory for real-socket tests, with a CA and the key pairs "node" and "client" (no
/// pass-phrase) in <see cref="Certs"/>; deleted on dispose.</summary>
internal sealed class LoopbackDirectory : IDisposable
{
    public LoopbackDirectory(string prefix)
    {
        Root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Certs = Path.Combine(Root, "certs");
        string secrets = Path.Combine(Root, "private");
        SelfCertificates.CreateCertificateAuthority(secrets, passphrase: null);
        SelfCertificates.CreateKeyPair("node", "node@example.org", Certs, secrets, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "client@example.org", Certs, secrets, null, _ => "");
    }

    public string Root { get; }

    public string Certs { get; }

    /// <summary>Client settings for TLS with these keys and no known-keys files.</summary>
    public RpcOptions ClientRpc() => new()
    {
        Tls = { CertPath = Certs, KnownClientKeysPath = "", KnownServerKeysPath = "" },
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Writes <c>NAME.cfg</c>, an s-expression tube config for node <paramref name="name"/> of a cluster
    /// whose nodes listen at <paramref name="addresses"/>, with fast timings (50 ms heartbeat, 500 ms election), its
    /// data under <c>data/NAME</c> and TLS with the "node" and "client" key pairs; returns its path.</summary>
    public string WriteTubeConfig(string cluster, string name, IReadOnlyDictionary<string, string> addresses,
        string extraFields = "")
    {
        string path = Path.Combine(Root, name + ".cfg");
        File.WriteAllText(path, $"""
            (tubeConfig ClusterID: "{cluster}" MyName: "{name}"
              Node2Addr: (hash {string.Join(" ", addresses.Select(p => $"\"{p.Key}\":\"{p.Value}\""))})
              DataDir: "{Path.Combine(Root, "data", name)}" {extraFields}
              HeartbeatDur: (dur "50ms") MinElectionDur: (dur "500ms") ClockDriftBound: (dur "20ms")
              RpcCfg: (rpc25519_Config CertPath: "{Certs}" ServerKeyPairName: "node" ClientKeyPairName: "client"
                KnownClientKeysPath: "" KnownServerKeysPath: ""))
            """);
        return path;
    }

    /// <summary>A loopback port free at the moment of the call.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
