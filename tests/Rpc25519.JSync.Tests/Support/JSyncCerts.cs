using Rpc25519.Security;

namespace Rpc25519.JSync.Tests.Support;

/// <summary>A CA with <c>node</c> and <c>client</c> key pairs, made once per test class in a temp directory (as
/// tests/Rpc25519.Tests/Security/CertFixture does).</summary>
public sealed class JSyncCerts : IDisposable
{
    public JSyncCerts()
    {
        Root = Directory.CreateTempSubdirectory("jsync-certs-").FullName;
        CertsDir = Path.Combine(Root, "certs");
        string privateDir = Path.Combine(Root, "private");
        SelfCertificates.CreateCertificateAuthority(privateDir, passphrase: null);
        SelfCertificates.CreateKeyPair("node", "node@example.org", CertsDir, privateDir, null, _ => "");
        SelfCertificates.CreateKeyPair("client", "client@example.org", CertsDir, privateDir, null, _ => "");
    }

    public string Root { get; }

    public string CertsDir { get; }

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
}
