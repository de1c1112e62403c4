using Org.BouncyCastle.Crypto.Parameters;
using Rpc25519.Security;

namespace Rpc25519.Tests.Security;

[Collection("Security")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyFileTests(CertFixture certs) : IClassFixture<CertFixture>
{
    /// <summary>Cheap Argon2 so tests stay fast; the parameters travel in the file.</summary>
    private static readonly Argon2Settings Cheap = new() { Iterations = 1, MemoryKiB = 64, Threads = 1 };

    [Fact]
    public void EncryptedKey_RoundTrips_WithMode0600_AndStoredParameters()
    {
        string path = Path.Combine(certs.NewDir("enc"), "k.key");
        var key = new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom());
        PrivateKeyFile.Write(path, key, "s3cret pass", Cheap);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        string text = File.ReadAllText(path);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.Contains("Argon2id.Iterations: 1", text, StringComparison.Ordinal);
        Assert.Contains("Argon2id.Memory: 64", text, StringComparison.Ordinal);
        Assert.Contains("CipherSuite: \"AES-GCM\"", text, StringComparison.Ordinal);
        Ed25519PrivateKeyParameters loaded = PrivateKeyFile.Read(path, _ => "s3cret pass");
        Assert.Equal(key.GetEncoded(), loaded.GetEncoded());
    }

    [Fact]
    public void WrongPassphrase_GivesClearError()
    {
        string path = Path.Combine(certs.NewDir("wrong"), "k.key");
        PrivateKeyFile.Write(path, new Ed25519PrivateKeyParameters(new Org.BouncyCastle.Security.SecureRandom()),
            "right", Cheap);
        var error = Assert.Throws<RpcException>(() => PrivateKeyFile.Read(path, _ => "wrong"));
        Assert.Contains("Wrong pass-phrase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExistingFiles_AreNeverOverwritten()
    {
        string dir = certs.NewDir("nooverwrite");
        string path = Path.Combine(dir, "psk");
        SelfCertificates.GenerateSymmetricKey(path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Equal(32, before.Length);
        Assert.Throws<RpcException>(() => SelfCertificates.GenerateSymmetricKey(path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Throws<RpcException>(() => SelfCertificates.CreateCertificateAuthority(certs.PrivateDir, null));
        Assert.Throws<RpcException>(() =>
            SelfCertificates.CreateKeyPair("node", "", certs.CertsDir, certs.PrivateDir, null, _ => ""));
    }

    [Fact]
    public void EncryptedCa_SignsPairs_AfterPassphrase()
    {
        string priv = certs.NewDir("encca");
        string certsDir = certs.NewDir("enccerts");
        SelfCertificates.CreateCertificateAuthority(priv, "ca-pass", argon2: Cheap);
        Assert.True(SelfCertificates.IsKeyEncrypted(Path.Combine(priv, "ca.key")));
        Assert.Throws<RpcException>(() =>
            SelfCertificates.CreateKeyPair("node", "", certsDir, priv, null, _ => "not it", argon2: Cheap));
        string cert = SelfCertificates.CreateKeyPair("node", "a@b.c", certsDir, priv, "node-pass", _ => "ca-pass",
            argon2: Cheap);
        Assert.True(SelfCertificates.IsSignedBy(cert, Path.Combine(certsDir, "ca.crt")));
        Assert.False(SelfCertificates.IsSignedBy(cert, Path.Combine(certs.OtherCertsDir, "ca.crt")));
        Assert.Equal(64, SelfCertificates.CheckPrivateKey(Path.Combine(certsDir, "node.key"), _ => "node-pass").Length);
    }

    [Fact]
    public void Describe_ShowsOpensslStyleFields_AndKnownKeysForm()
    {
        string text = SelfCertificates.Describe(Path.Combine(certs.CertsDir, "node.crt"));
        Assert.Contains("Signature Algorithm: ED25519", text, StringComparison.Ordinal);
        Assert.Contains("DNS:localhost", text, StringComparison.Ordinal);
        Assert.Contains("IP Address:127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("email:node@example.org", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Contains("pubkey@edwardsRPC-ed25519-b58c-", text, StringComparison.Ordinal);
    }
}
