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
