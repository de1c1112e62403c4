using System.Globalization;
using System.Net;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Rpc25519.Security;

/// <summary>Renders a certificate as text in the manner of <c>openssl x509 -text</c>.</summary>
internal static class CertificateText
{
    /// <exception cref="RpcException">A part of the certificate cannot be parsed.</exception>
    public static string Describe(X509Certificate cert)
    {
        try
        {
            return DescribeParsed(cert);
        }
        catch (Exception e) when (CertificateChecker.IsParseFailure(e))
        {
            throw new RpcException($"The certificate cannot be described; a part of it does not parse: {e.Message}", e);
        }
    }

    private static string DescribeParsed(X509Certificate cert)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Certificate:").AppendLine("    Data:");
        sb.AppendLine(Inv($"        Version: {cert.Version} (0x{cert.Version - 1:x})"));
        sb.AppendLine("        Serial Number:");
        sb.AppendLine("            "
            + CertificateChecker.ColonHex(cert.SerialNumber.ToByteArrayUnsigned()).ToLowerInvariant());
        sb.AppendLine("        Signature Algorithm: " + AlgorithmName(cert.SigAlgOid));
        sb.AppendLine("        Issuer: " + cert.IssuerDN);
        sb.AppendLine("        Validity");
        sb.AppendLine("            Not Before: " + cert.NotBefore.ToString("R", CultureInfo.InvariantCulture));
        sb.AppendLine("            Not After : " + cert.NotAfter.ToString("R", CultureInfo.InvariantCulture));
        sb.AppendLine("        Subject: " + cert.SubjectDN);
        sb.AppendLine("        Subject Public Key Info:");
        string keyAlgorithm = AlgorithmName(cert.SubjectPublicKeyInfo.Algorithm.Algorithm.Id);
        sb.AppendLine("            Public Key Algorithm: " + keyAlgorithm);
        byte[] key = cert.SubjectPublicKeyInfo.PublicKey.GetBytes();
        sb.AppendLine($"                {keyAlgorithm.ToUpperInvariant()} Public-Key:");
        AppendHexLines(sb, key, "                ", 15);
        AppendExtensions(sb, cert);
        sb.AppendLine("    Signature Algorithm: " + AlgorithmName(cert.SigAlgOid));
        sb.AppendLine("    Signature Value:");
        AppendHexLines(sb, cert.GetSignature(), "        ", 16);
        if (CertificateChecker.Ed25519Key(cert) is { } raw)
        {
            sb.AppendLine("the raw public key is 32 bytes, but to make it readable:");
            sb.AppendLine(Convert.ToHexStringLower(raw));
            string b58 = Base58Check.Encode(raw);
            sb.AppendLine(Inv($"as Base58Check (version 255, {b58.Length} characters), the known-keys form:"));
            sb.AppendLine(KnownKeys.IdentityPrefix + b58);
        }
        return sb.ToString();
    }

    private static void AppendExtensions(StringBuilder sb, X509Certificate cert)
    {
        sb.AppendLine("        X509v3 extensions:");
        if (cert.GetExtensionValue(X509Extensions.BasicConstraints) is not null)
        {
            sb.AppendLine("            X509v3 Basic Constraints: critical");
            sb.AppendLine("                CA:" + (cert.GetBasicConstraints() >= 0 ? "TRUE" : "FALSE"));
        }
        if (cert.GetKeyUsage() is { } usage)
        {
            string[] names = ["Digital Signature", "Non Repudiation", "Key Encipherment", "Data Encipherment",
                "Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"];
            sb.AppendLine("            X509v3 Key Usage: critical");
            sb.AppendLine("                " + string.Join(", ", names.Where((_, i) => i < usage.Length && usage[i])));
        }
        if (cert.GetExtendedKeyUsage() is { Count: > 0 } eku)
        {
            sb.AppendLine("            X509v3 Extended Key Usage:");
            sb.AppendLine("                " + string.Join(", ", eku.Select(UsageName)));
        }
        if (cert.GetExtensionValue(X509Extensions.SubjectKeyIdentifier) is { } ski)
        {
            var id = SubjectKeyIdentifier.GetInstance(Asn1Object.FromByteArray(ski.GetOctets()));
            sb.AppendLine("            X509v3 Subject Key Identifier:");
            sb.AppendLine("                " + CertificateChecker.ColonHex(id.GetKeyIdentifier()));
        }
        if (cert.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier) is { } aki)
        {
            var id = AuthorityKeyIdentifier.GetInstance(Asn1Object.FromByteArray(aki.GetOctets()));
            sb.AppendLine("            X509v3 Authority Key Identifier:");
            sb.AppendLine("                " + CertificateChecker.ColonHex(id.KeyIdentifier?.GetOctets() ?? []));
        }
        if (cert.GetSubjectAlternativeNames() is { Count: > 0 } sans)
        {
            sb.AppendLine("            X509v3 Subject Alternative Name:");
            sb.AppendLine("                " + string.Join(", ", sans.Select(SanText)));
        }
    }

    private static string SanText(IList<object> name) => name[0] switch
    {
        GeneralName.DnsName => "DNS:" + name[1],
        GeneralName.Rfc822Name => "email:" + name[1],
        GeneralName.IPAddress when name[1] is string ip => "IP Address:" + ip,
        GeneralName.IPAddress when name[1] is byte[] ipBytes => "IP Address:" + new IPAddress(ipBytes),
        _ => "other:" + name[1],
    };

    private static string UsageName(DerObjectIdentifier oid) =>
        oid.Equals(KeyPurposeID.id_kp_serverAuth) ? "TLS Web Server Authentication"
        : oid.Equals(KeyPurposeID.id_kp_clientAuth) ? "TLS Web Client Authentication"
        : oid.Equals(KeyPurposeID.AnyExtendedKeyUsage) ? "Any Extended Key Usage"
        : oid.Id;

    private static string AlgorithmName(string oid) => oid switch
    {
        "1.3.101.112" => "ED25519",
        "1.2.840.10045.2.1" => "id-ecPublicKey",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.113549.1.1.1" => "rsaEncryption",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        _ => oid,
    };

    private static void AppendHexLines(StringBuilder sb, byte[] bytes, string indent, int perLine)
    {
        for (int i = 0; i < bytes.Length; i += perLine)
        {
            int count = Math.Min(perLine, bytes.Length - i);
            string hex = CertificateChecker.ColonHex(bytes.AsSpan(i, count)).ToLowerInvariant();
            sb.Append(indent).Append(hex).AppendLine(i + count < bytes.Length ? ":" : "");
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
