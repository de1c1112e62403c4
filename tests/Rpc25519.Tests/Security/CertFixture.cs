using Rpc25519.Security;

namespace Rpc25519.Tests.Security;

/// <summary>Certificates made once per test class in a temp directory: our CA with <c>node</c> and <c>client</c>
/// pairs, and an unrelated CA with its own <c>node</c>/<c>client</c> pairs.</summary>
public sealed class CertFixture : IDisposable
{
    public CertFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "rpc25519-tls-" + Guid.NewGuid().ToString("N"));
        CertsDir = Path.Combine(Root, "certs");
        PrivateDir = Path.Combine(Root, "private");
        OtherCertsDir = Path.Combine(Root, "other-certs");
        OtherPrivateDir = Path.Combine(Root, "other-private");
        Make(CertsDir, PrivateDir);
        Make(OtherCertsDir, OtherPrivateDir);
    }

    public string Root { get; }

    public string CertsDir { get; }

    public string PrivateDir { get; }

    public string OtherCertsDir { get; }

    public string OtherPrivateDir { get; }

    /// <summary>A fresh empty directory under <see cref="Root"/>.</summary>
    public string NewDir(string name)
    {
        string dir = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Make(string certs, string priv)
    {
        SelfCertificates.CreateCertificateAuthority(priv, passphrase: null);
        SelfCertificates.CreateKeyPair("node", "node@example.org", certs, priv, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "client@example.org", certs, priv, null, _ => "");
    }
}
