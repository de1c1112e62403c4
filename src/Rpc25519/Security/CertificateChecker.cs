using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.X509;

namespace Rpc25519.Security;

/// <summary>Checks a peer's certificate: Ed25519 key, validity period, signed by our CA, the name <c>localhost</c>,
/// and the extended key usage of its role.</summary>
internal static class CertificateChecker
{
    /// <summary>Reads every certificate of a PEM file.</summary>
    /// <exception cref="RpcException">The file is missing or holds no certificate.</exception>
    public static List<X509Certificate> ReadPem(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RpcException($"Cannot read certificate '{path}': {e.Message}", e);
        }
        return ParsePem(text, path);
    }

    /// <summary>Reads every certificate of the text of a PEM file (<paramref name="path"/> names it in
    /// errors).</summary>
    /// <exception cref="RpcException">The text holds no valid certificate.</exception>
    internal static List<X509Certificate> ParsePem(string text, string path)
    {
        List<X509Certificate> certificates;
        try
        {
            certificates = PemBlock.ParseAll(text).Where(b => b.Label == "CERTIFICATE")
                .Select(b => Parsed(new X509Certificate(b.Body))).ToList();
        }
        catch (Exception e) when (e is FormatException || IsParseFailure(e))
        {
            throw new RpcException($"'{path}' is not a PEM certificate file: {e.Message}", e);
        }
        return certificates.Count > 0
            ? certificates
            : throw new RpcException($"'{path}' holds no PEM CERTIFICATE block.");
    }

    /// <summary>
    /// Whether <paramref name="e"/> is how BouncyCastle reports a certificate it cannot parse: the constructor parses
    /// the outer structure only, and the public key and extensions are parsed when first asked for, with ASN.1 errors
    /// (<see cref="IOException"/>), argument, cast and state errors, or certificate exceptions.
    /// </summary>
    internal static bool IsParseFailure(Exception e) =>
        e is IOException or ArgumentException or InvalidOperationException or InvalidCastException
            or CertificateException or Org.BouncyCastle.Security.GeneralSecurityException
            or Org.BouncyCastle.Security.SecurityUtilityException;

    /// <summary>Parses the parts of <paramref name="certificate"/> that BouncyCastle parses lazily and that this
    /// library reads (public key, alternative names, extended key usage), so that a damaged file fails where it is
    /// read.</summary>
    private static X509Certificate Parsed(X509Certificate certificate)
    {
        _ = certificate.GetPublicKey();
        _ = certificate.GetSubjectAlternativeNames();
        _ = certificate.GetExtendedKeyUsage();
        _ = certificate.SubjectDN;
        _ = certificate.IssuerDN;
        return certificate;
    }

    /// <summary>Parses a peer's DER certificate from a handshake and checks it (see <see cref="Check"/>).</summary>
    /// <exception cref="CertificateRejectedException">The certificate cannot be parsed or is not acceptable.</exception>
    public static PeerIdentity CheckEncoded(byte[] der, X509Certificate? ca, DateTimeOffset now, bool clientRole)
    {
        X509Certificate leaf;
        try
        {
            leaf = new X509Certificate(der);
        }
        catch (Exception e) when (IsParseFailure(e))
        {
            throw Unparsable(e);
        }
        return Check(leaf, ca, now, clientRole);
    }

    private static CertificateRejectedException Unparsable(Exception e) =>
        new(AlertDescription.bad_certificate, $"the peer's certificate cannot be parsed: {e.Message}");

    /// <summary>The raw 32-byte key of an Ed25519 certificate, or null for any other key type.</summary>
    public static byte[]? Ed25519Key(X509Certificate certificate) =>
        certificate.GetPublicKey() is Ed25519PublicKeyParameters key ? key.GetEncoded() : null;

    /// <summary>Checks <paramref name="leaf"/>. With <paramref name="ca"/> null (SkipVerifyKeys) only the key type
    /// and validity period are checked.</summary>
    /// <param name="leaf">The peer's own certificate.</param>
    /// <param name="ca">Our CA, or null to skip the chain, name and usage checks.</param>
    /// <param name="now">The instant the validity periods are checked at.</param>
    /// <param name="clientRole">True when the peer is a client (needs the client-auth usage), false for a
    /// server.</param>
    /// <exception cref="CertificateRejectedException">The certificate is not acceptable; the message says why.</exception>
    public static PeerIdentity Check(X509Certificate leaf, X509Certificate? ca, DateTimeOffset now, bool clientRole)
    {
        try
        {
            return CheckParsed(leaf, ca, now, clientRole);
        }
        catch (Exception e) when (e is not CertificateRejectedException && IsParseFailure(e))
        {
            throw Unparsable(e);
        }
    }

    private static PeerIdentity CheckParsed(X509Certificate leaf, X509Certificate? ca, DateTimeOffset now,
        bool clientRole)
    {
        byte[] key = Ed25519Key(leaf) ?? throw new CertificateRejectedException(AlertDescription.unsupported_certificate,
            $"the peer's certificate has a {leaf.SubjectPublicKeyInfo.Algorithm.Algorithm} key; only Ed25519 " +
            "keys are accepted");
        DateTime instant = now.UtcDateTime;
        if (instant < leaf.NotBefore || instant > leaf.NotAfter)
        {
            throw new CertificateRejectedException(AlertDescription.certificate_expired,
                $"the peer's certificate is valid from {leaf.NotBefore:u} to {leaf.NotAfter:u}, not now");
        }
        if (ca is not null)
        {
            CheckSignedBy(leaf, ca, instant);
            CheckName(leaf);
            CheckUsage(leaf, clientRole);
        }
        return new PeerIdentity(key, Emails(leaf), leaf);
    }

    /// <summary>Whether <paramref name="certificate"/> carries a valid signature of <paramref name="ca"/>.</summary>
    public static bool IsSignedBy(X509Certificate certificate, X509Certificate ca)
    {
        if (!certificate.IssuerDN.Equivalent(ca.SubjectDN))
        {
            return false;
        }
        try
        {
            certificate.Verify(ca.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is CertificateException or Org.BouncyCastle.Security.GeneralSecurityException
                                   or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The e-mail addresses of the subject alternative names (else of the subject), in order.</summary>
    public static List<string> Emails(X509Certificate certificate)
    {
        var emails = new List<string>();
        foreach (IList<object> name in certificate.GetSubjectAlternativeNames() ?? [])
        {
            if (name.Count == 2 && name[0] is int tag && tag == GeneralName.Rfc822Name && name[1] is string email)
            {
                emails.Add(email);
            }
        }
        if (emails.Count == 0)
        {
            emails.AddRange(certificate.SubjectDN.GetValueList(X509Name.EmailAddress));
        }
        return emails;
    }

    private static void CheckSignedBy(X509Certificate leaf, X509Certificate ca, DateTime instant)
    {
        if (!IsSignedBy(leaf, ca))
        {
            throw new CertificateRejectedException(AlertDescription.unknown_ca,
                $"the peer's certificate (issuer '{leaf.IssuerDN}') is not signed by our CA ('{ca.SubjectDN}')");
        }
        if (instant < ca.NotBefore || instant > ca.NotAfter)
        {
            throw new CertificateRejectedException(AlertDescription.certificate_expired,
                $"our CA certificate is valid from {ca.NotBefore:u} to {ca.NotAfter:u}, not now");
        }
    }

    private static void CheckName(X509Certificate leaf)
    {
        bool hasDnsNames = false;
        foreach (IList<object> name in leaf.GetSubjectAlternativeNames() ?? [])
        {
            if (name.Count == 2 && name[0] is int tag && tag == GeneralName.DnsName)
            {
                hasDnsNames = true;
                if (string.Equals(name[1] as string, CertificateMaker.HostName, StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }
            }
        }
        if (!hasDnsNames && leaf.SubjectDN.GetValueList(X509Name.CN)
                .Any(cn => string.Equals(cn, CertificateMaker.HostName, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }
        throw new CertificateRejectedException(AlertDescription.bad_certificate,
            $"the peer's certificate is not issued for the name '{CertificateMaker.HostName}'");
    }

    private static void CheckUsage(X509Certificate leaf, bool clientRole)
    {
        IList<DerObjectIdentifier>? usages = leaf.GetExtendedKeyUsage();
        if (usages is null || usages.Count == 0)
        {
            return;
        }
        DerObjectIdentifier needed = clientRole ? KeyPurposeID.id_kp_clientAuth : KeyPurposeID.id_kp_serverAuth;
        if (usages.Contains(needed) || usages.Contains(KeyPurposeID.AnyExtendedKeyUsage))
        {
            return;
        }
        throw new CertificateRejectedException(AlertDescription.unsupported_certificate,
            $"the peer's certificate is not for TLS {(clientRole ? "client" : "server")} authentication");
    }

    /// <summary>Formats a byte string as upper-case colon-separated hex.</summary>
    public static string ColonHex(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (byte b in bytes)
        {
            if (sb.Length > 0)
            {
                sb.Append(':');
            }
            sb.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
