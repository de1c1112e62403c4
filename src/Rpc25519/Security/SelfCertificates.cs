using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.X509;

namespace Rpc25519.Security;

/// <summary>
/// The operations of the <c>selfy</c> tool as a library: make an Ed25519 CA, make identity key pairs signed by it,
/// make a pre-shared key, view and verify certificates. Nothing here ever overwrites an existing file; private keys
/// are written with mode 0600.
/// </summary>
/// <remarks>Thread-safe in the sense that calls share no state; two calls writing the same file race, and the
/// loser gets an error.</remarks>
public static class SelfCertificates
{
    /// <summary>File name of the CA certificate (in the private directory, and copied into the certs
    /// directory).</summary>
    public const string CaCertificateFileName = "ca.crt";

    /// <summary>File name of the CA private key (in the private directory only).</summary>
    public const string CaKeyFileName = "ca.key";

    /// <summary>Creates a self-signed Ed25519 CA: <c>ca.key</c> and <c>ca.crt</c> in <paramref
    /// name="privateDirectory"/>.</summary>
    /// <param name="privateDirectory">Where the CA lives; created with mode 0700 if missing.</param>
    /// <param name="passphrase">Protects <c>ca.key</c>; null or empty writes it unencrypted.</param>
    /// <param name="validity">Lifetime; null means no expiry (9999-12-31).</param>
    /// <param name="argon2">Key-file protection cost; null for <see cref="Argon2Settings.Default"/>.</param>
    /// <param name="timeProvider">The clock for the validity period; null for the system clock.</param>
    /// <returns>The path of the new <c>ca.crt</c>.</returns>
    /// <exception cref="RpcException">A CA already exists there, or a file cannot be written.</exception>
    public static string CreateCertificateAuthority(string privateDirectory, string? passphrase,
        TimeSpan? validity = null, Argon2Settings? argon2 = null, TimeProvider? timeProvider = null)
    {
        SecureFile.EnsureDirectory(privateDirectory);
        string keyPath = Path.Combine(privateDirectory, CaKeyFileName);
        string certPath = Path.Combine(privateDirectory, CaCertificateFileName);
        if (File.Exists(keyPath) || File.Exists(certPath))
        {
            throw new RpcException($"A CA already exists in '{privateDirectory}'; refusing to overwrite it.");
        }
        Ed25519PrivateKeyParameters key = CertificateMaker.NewKey();
        X509Certificate cert = CertificateMaker.CreateCa(key, (timeProvider ?? TimeProvider.System).GetUtcNow(),
            validity);
        PrivateKeyFile.Write(keyPath, key, passphrase, argon2);
        SecureFile.WriteNew(certPath, PemBytes(cert), ownerOnly: false);
        return certPath;
    }

    /// <summary>Creates an identity key pair <c>NAME.key</c>/<c>NAME.crt</c> in <paramref name="certsDirectory"/>,
    /// signed by the CA in <paramref name="privateDirectory"/>, and copies the CA certificate there as
    /// <c>ca.crt</c>.</summary>
    /// <param name="name">File base name, e.g. <c>node</c> or <c>client</c>; no directory parts.</param>
    /// <param name="email">The owner's e-mail, put in the subject and as a SAN; may be empty.</param>
    /// <param name="certsDirectory">Output directory; created with mode 0700 if missing.</param>
    /// <param name="privateDirectory">Where <c>ca.key</c> and <c>ca.crt</c> are.</param>
    /// <param name="passphrase">Protects <c>NAME.key</c>; null or empty writes it unencrypted.</param>
    /// <param name="caPassphrase">Asked for the CA key's pass-phrase if that key is encrypted.</param>
    /// <param name="validity">Lifetime; null means the CA's (no expiry by default). Clamped to the CA's.</param>
    /// <param name="argon2">Key-file protection cost; null for <see cref="Argon2Settings.Default"/>.</param>
    /// <param name="timeProvider">The clock for the validity period; null for the system clock.</param>
    /// <returns>The path of the new certificate.</returns>
    /// <exception cref="RpcException">The pair exists, there is no CA, a pass-phrase is wrong, or a write
    /// fails.</exception>
    public static string CreateKeyPair(string name, string email, string certsDirectory, string privateDirectory,
        string? passphrase, Func<string, string> caPassphrase, TimeSpan? validity = null, Argon2Settings? argon2 = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(caPassphrase);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(['/', '\\']) >= 0 || name is "." or ".." or "ca")
        {
            throw new RpcException($"Key pair name '{name}' must be a plain file name (not 'ca', no '/').");
        }
        if (email.IndexOfAny([',', '+', '=', '"', '<', '>', ';', '\n']) >= 0)
        {
            throw new RpcException($"E-mail '{email}' holds characters not allowed in a certificate name.");
        }
        string keyPath = Path.Combine(certsDirectory, name + ".key");
        string certPath = Path.Combine(certsDirectory, name + ".crt");
        if (File.Exists(keyPath) || File.Exists(certPath))
        {
            throw new RpcException(
                $"Key pair '{name}' already exists in '{certsDirectory}'; refusing to overwrite it.");
        }
        string caCertPath = Path.Combine(privateDirectory, CaCertificateFileName);
        string caKeyPath = Path.Combine(privateDirectory, CaKeyFileName);
        if (!File.Exists(caCertPath) || !File.Exists(caKeyPath))
        {
            throw new RpcException(
                $"No CA in '{privateDirectory}' (need {CaCertificateFileName} and {CaKeyFileName}).");
        }
        X509Certificate caCert = CertificateChecker.ReadPem(caCertPath)[0];
        Ed25519PrivateKeyParameters caKey = PrivateKeyFile.Read(caKeyPath, caPassphrase);
        if (!caKey.GeneratePublicKey().GetEncoded().AsSpan().SequenceEqual(CertificateChecker.Ed25519Key(caCert)))
        {
            throw new RpcException($"'{caKeyPath}' does not belong to '{caCertPath}'.");
        }
        Ed25519PrivateKeyParameters key = CertificateMaker.NewKey();
        X509Certificate cert = CertificateMaker.CreateIdentity(key.GeneratePublicKey(), email, caKey, caCert,
            (timeProvider ?? TimeProvider.System).GetUtcNow(), validity);
        SecureFile.EnsureDirectory(certsDirectory);
        PrivateKeyFile.Write(keyPath, key, passphrase, argon2);
        SecureFile.WriteNew(certPath, PemBytes(cert), ownerOnly: false);
        CopyCaCertificate(caCertPath, caCert, certsDirectory);
        return certPath;
    }

    /// <summary>Writes 32 cryptographically random bytes to a new file (mode 0600): a pre-shared key.</summary>
    /// <exception cref="RpcException">The file exists or cannot be written.</exception>
    public static void GenerateSymmetricKey(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            SecureFile.EnsureDirectory(directory);
        }
        SecureFile.WriteNew(path, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), ownerOnly: true);
    }

    /// <summary>Describes every certificate of a PEM file, like <c>openssl x509 -text</c>, plus the Ed25519 key in
    /// the form known-keys files use.</summary>
    /// <exception cref="RpcException">The file is missing or holds no certificate.</exception>
    public static string Describe(string certificatePath) =>
        string.Join("\n", CertificateChecker.ReadPem(certificatePath).Select(CertificateText.Describe));

    /// <summary>Whether the first certificate of <paramref name="certificatePath"/> carries a valid signature of the
    /// CA certificate at <paramref name="caCertificatePath"/>.</summary>
    /// <exception cref="RpcException">A file is missing or holds no certificate.</exception>
    public static bool IsSignedBy(string certificatePath, string caCertificatePath) =>
        CertificateChecker.IsSignedBy(CertificateChecker.ReadPem(certificatePath)[0],
            CertificateChecker.ReadPem(caCertificatePath)[0]);

    /// <summary>Loads a private key file to check it (asking for its pass-phrase if it is encrypted).</summary>
    /// <returns>The hex of the key's Ed25519 public key.</returns>
    /// <exception cref="RpcException">Not an Ed25519 key, or a wrong pass-phrase.</exception>
    public static string CheckPrivateKey(string keyPath, Func<string, string> passphrase) =>
        Convert.ToHexStringLower(PrivateKeyFile.Read(keyPath, passphrase).GeneratePublicKey().GetEncoded());

    /// <summary>Whether the key file needs a pass-phrase.</summary>
    public static bool IsKeyEncrypted(string keyPath) => PrivateKeyFile.IsEncrypted(keyPath);

    internal static byte[] PemBytes(X509Certificate cert) =>
        Encoding.ASCII.GetBytes(new PemBlock("CERTIFICATE", [], cert.GetEncoded()).Encode());

    private static void CopyCaCertificate(string caCertPath, X509Certificate caCert, string certsDirectory)
    {
        string copy = Path.Combine(certsDirectory, CaCertificateFileName);
        if (Path.GetFullPath(copy) == Path.GetFullPath(caCertPath))
        {
            return;
        }
        if (File.Exists(copy))
        {
            if (!CertificateChecker.ReadPem(copy)[0].Equals(caCert))
            {
                throw new RpcException($"'{copy}' holds a different CA than '{caCertPath}'; the new pair was " +
                    "written, but peers using that directory will reject it.");
            }
            return;
        }
        SecureFile.WriteNew(copy, PemBytes(caCert), ownerOnly: false);
    }
}
