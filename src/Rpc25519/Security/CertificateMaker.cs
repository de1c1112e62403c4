using System.Net;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Rpc25519.Security;

/// <summary>Builds the Ed25519 CA and identity certificates (signing only; files are written elsewhere).</summary>
internal static class CertificateMaker
{
    /// <summary>RFC 5280's "no well-defined expiration date": 9999-12-31T23:59:59Z.</summary>
    public static readonly DateTime NoExpiry = new(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc);

    /// <summary>Names every identity certificate carries: it detaches identity from the host it runs on.</summary>
    public const string HostName = "localhost";

    private static readonly SecureRandom Random = new();

    /// <summary>A new Ed25519 key pair.</summary>
    public static Ed25519PrivateKeyParameters NewKey() => new(Random);

    /// <summary>A self-signed CA certificate for <paramref name="key"/>.</summary>
    public static X509Certificate CreateCa(Ed25519PrivateKeyParameters key, DateTimeOffset now, TimeSpan? validity)
    {
        Ed25519PublicKeyParameters publicKey = key.GeneratePublicKey();
        X509Name subject = Name(
            (X509Name.C, "US"), (X509Name.ST, "State"), (X509Name.L, "City"), (X509Name.O, "Organization"),
            (X509Name.OU, "Org Unit"), (X509Name.CN, HostName));
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial());
        generator.SetIssuerDN(subject);
        generator.SetSubjectDN(subject);
        SetValidity(generator, now, validity);
        generator.SetPublicKey(publicKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        // No extended key usage on the CA: OpenSSL treats "any" as not covering TLS server/client use on a CA.
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false,
            X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        return generator.Generate(new Asn1SignatureFactory("Ed25519", key));
    }

    /// <summary>An identity certificate for <paramref name="publicKey"/>, signed by the CA: CN and DNS SAN
    /// <c>localhost</c>, IP SAN 127.0.0.1, the owner's e-mail in the subject and as an e-mail SAN, usable for
    /// both TLS client and server authentication. A validity beyond the CA's is clamped to the CA's.</summary>
    public static X509Certificate CreateIdentity(Ed25519PublicKeyParameters publicKey, string email,
        Ed25519PrivateKeyParameters caKey, X509Certificate caCert, DateTimeOffset now, TimeSpan? validity)
    {
        X509Name subject = Name(
            (X509Name.C, "US"), (X509Name.ST, "New York"), (X509Name.L, "New York"), (X509Name.O, "MyOrg"),
            (X509Name.OU, "MyOrgUnit"), (X509Name.CN, HostName), (X509Name.EmailAddress, email));
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial());
        generator.SetIssuerDN(caCert.SubjectDN);
        generator.SetSubjectDN(subject);
        SetValidity(generator, now, validity);
        if (caCert.NotAfter < NoExpiry)
        {
            generator.SetNotAfter(caCert.NotAfter);
            if (validity is { } v && now.UtcDateTime + v < caCert.NotAfter)
            {
                generator.SetNotAfter(now.UtcDateTime + v);
            }
        }
        generator.SetPublicKey(publicKey);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false,
            new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false,
            X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false,
            X509ExtensionUtilities.CreateAuthorityKeyIdentifier(caCert));
        var names = new List<GeneralName>
        {
            new(GeneralName.DnsName, HostName),
            new(GeneralName.IPAddress, new DerOctetString(IPAddress.Loopback.GetAddressBytes())),
        };
        if (email.Length > 0)
        {
            names.Add(new GeneralName(GeneralName.Rfc822Name, email));
        }
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names.ToArray()));
        return generator.Generate(new Asn1SignatureFactory("Ed25519", caKey));
    }

    private static void SetValidity(X509V3CertificateGenerator generator, DateTimeOffset now, TimeSpan? validity)
    {
        // A minute of slack so a peer whose clock is slightly behind still accepts a freshly made certificate.
        DateTime start = now.UtcDateTime.AddTicks(-(now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)).AddMinutes(-1);
        generator.SetNotBefore(start);
        generator.SetNotAfter(validity is { } v ? now.UtcDateTime + v : NoExpiry);
    }

    private static BigInteger NewSerial() => new BigInteger(1, SecureRandom.GetNextBytes(Random, 16));

    private static X509Name Name(params (DerObjectIdentifier Oid, string Value)[] parts) =>
        new(parts.Select(p => p.Oid).ToList(), parts.Select(p => p.Value).ToList());
}
