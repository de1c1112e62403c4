using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Rpc25519.Security;

namespace Rpc25519.Tests.Security;

[Collection("Security")]
public sealed class CertificateCheckerTests(CertFixture certs) : IClassFixture<CertFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OurIdentity_PassesEveryCheck()
    {
        X509Certificate ca = CertificateChecker.ReadPem(Path.Combine(certs.CertsDir, "ca.crt"))[0];
        X509Certificate node = CertificateChecker.ReadPem(Path.Combine(certs.CertsDir, "node.crt"))[0];
        PeerIdentity identity = CertificateChecker.Check(node, ca, DateTimeOffset.UtcNow, clientRole: false);
        Assert.Equal(32, identity.PublicKey.Length);
        Assert.Equal(["node@example.org"], identity.Emails);
    }

    [Fact]
    public void NonEd25519Certificate_IsRejected_EvenWhenSkippingVerification()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new KeyGenerationParameters(new SecureRandom(), 256));
        AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();
        var builder = new X509V3CertificateGenerator();
        var name = new X509Name("CN=localhost");
        builder.SetSerialNumber(BigInteger.One);
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(Now.UtcDateTime.AddDays(-1));
        builder.SetNotAfter(Now.UtcDateTime.AddDays(1));
        builder.SetPublicKey(pair.Public);
        X509Certificate ecdsa = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", pair.Private));
        var error = Assert.Throws<CertificateRejectedException>(() => CertificateChecker.Check(ecdsa, null, Now, true));
        Assert.Contains("only Ed25519", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredOrForeignCertificates_AreRejected()
    {
        X509Certificate ca = CertificateChecker.ReadPem(Path.Combine(certs.CertsDir, "ca.crt"))[0];
        X509Certificate foreign = CertificateChecker.ReadPem(Path.Combine(certs.OtherCertsDir, "client.crt"))[0];
        Assert.Throws<CertificateRejectedException>(() => CertificateChecker.Check(foreign, ca, DateTimeOffset.UtcNow, true));
        var key = CertificateMaker.NewKey();
        X509Certificate shortLived = CertificateMaker.CreateCa(key, Now, TimeSpan.FromDays(1));
        var error = Assert.Throws<CertificateRejectedException>(
            () => CertificateChecker.Check(shortLived, null, Now.AddDays(2), true));
        Assert.Contains("valid from", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KnownKeysString_UsesBase58CheckVersion255()
    {
        string encoded = Base58Check.Encode(new byte[32]);
        // 255 as the leading byte means no leading '1'; 37 bytes encode to 50 or 51 characters.
        Assert.InRange(encoded.Length, 49, 51);
        Assert.DoesNotContain('0', encoded);
        Assert.NotEqual(encoded, Base58Check.Encode(Enumerable.Repeat((byte)1, 32).ToArray()));
    }
}
