using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Rpc25519.Security;

/// <summary>
/// Reads and writes Ed25519 private key files: plain PKCS#8 PEM (<c>PRIVATE KEY</c>, as openssl writes them) or our
/// pass-phrase protected form (<c>ENCRYPTED PRIVATE KEY</c> with Argon2id and AES-256-GCM headers; see
/// docs/key-file-format.md).
/// </summary>
internal static class PrivateKeyFile
{
    private const string PlainLabel = "PRIVATE KEY";
    private const string EncryptedLabel = "ENCRYPTED PRIVATE KEY";
    private const string CipherSuiteValue = "\"AES-GCM\"";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int SaltBytes = 16;
    private const int KeyBytes = 32;

    /// <summary>Writes <paramref name="key"/> to a new file with mode 0600; encrypted unless
    /// <paramref name="passphrase"/> is null or empty.</summary>
    /// <exception cref="RpcException">The file exists or cannot be written.</exception>
    public static void Write(string path, Ed25519PrivateKeyParameters key, string? passphrase, Argon2Settings? settings)
    {
        // PKCS#8 version 1 without the optional public key: the form openssl and Go write and read.
        byte[] pkcs8 = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
            new DerOctetString(key.GetEncoded())).GetEncoded();
        try
        {
            PemBlock block = string.IsNullOrEmpty(passphrase)
                ? new PemBlock(PlainLabel, [], pkcs8)
                : Encrypt(pkcs8, passphrase, settings ?? Argon2Settings.Default);
            SecureFile.WriteNew(path, Encoding.ASCII.GetBytes(block.Encode()), ownerOnly: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>Whether the key file at <paramref name="path"/> needs a pass-phrase.</summary>
    public static bool IsEncrypted(string path) =>
        File.ReadAllText(path).Contains("BEGIN " + EncryptedLabel, StringComparison.Ordinal);

    /// <summary>Loads an Ed25519 private key; asks <paramref name="passphrase"/> only if the file is
    /// encrypted.</summary>
    /// <exception cref="RpcException">Missing file, not an Ed25519 key, or a wrong pass-phrase.</exception>
    public static Ed25519PrivateKeyParameters Read(string path, Func<string, string> passphrase)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RpcException($"Cannot read private key '{path}': {e.Message}", e);
        }
        return Parse(text, path, passphrase);
    }

    /// <summary>Reads an Ed25519 private key from the text of a key file (<paramref name="path"/> names it in
    /// errors); the Argon2 settings of an encrypted key must not exceed the given bounds.</summary>
    /// <exception cref="RpcException">Not an Ed25519 key, a damaged file, or a wrong pass-phrase.</exception>
    internal static Ed25519PrivateKeyParameters Parse(string text, string path, Func<string, string> passphrase,
        int maxMemoryKiB = int.MaxValue, int maxIterations = int.MaxValue)
    {
        List<PemBlock> blocks;
        try
        {
            blocks = PemBlock.ParseAll(text);
        }
        catch (FormatException e)
        {
            throw new RpcException($"'{path}' is not a valid PEM file: {e.Message}", e);
        }
        PemBlock? block = blocks.FirstOrDefault(b => b.Label is PlainLabel or EncryptedLabel);
        if (block is null)
        {
            throw new RpcException($"'{path}' holds no PEM 'PRIVATE KEY' block.");
        }
        byte[] pkcs8 = block.Label == PlainLabel
            ? block.Body
            : Decrypt(block, path, passphrase(path), maxMemoryKiB, maxIterations);
        AsymmetricKeyParameter key;
        try
        {
            key = PrivateKeyFactory.CreateKey(pkcs8);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException
                                   or SecurityUtilityException)
        {
            throw new RpcException($"'{path}' is not a PKCS#8 private key: {e.Message}", e);
        }
        return key as Ed25519PrivateKeyParameters
            ?? throw new RpcException($"'{path}' holds a {key.GetType().Name} key; only Ed25519 keys are supported.");
    }

    private static PemBlock Encrypt(byte[] pkcs8, string passphrase, Argon2Settings settings)
    {
        settings.Validate();
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        byte[] key = DeriveKey(passphrase, salt, settings.Iterations, settings.MemoryKiB, settings.Threads);
        byte[] body = new byte[NonceBytes + pkcs8.Length + TagBytes];
        nonce.CopyTo(body, 0);
        using (var aes = new AesGcm(key, TagBytes))
        {
            aes.Encrypt(nonce, pkcs8, body.AsSpan(NonceBytes, pkcs8.Length), body.AsSpan(NonceBytes + pkcs8.Length));
        }
        CryptographicOperations.ZeroMemory(key);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("AESGCM.Nonce", Convert.ToHexStringLower(nonce)),
            new("Argon2id.Iterations", settings.Iterations.ToString(CultureInfo.InvariantCulture)),
            new("Argon2id.KeyLength", KeyBytes.ToString(CultureInfo.InvariantCulture)),
            new("Argon2id.Memory", settings.MemoryKiB.ToString(CultureInfo.InvariantCulture)),
            new("Argon2id.Salt", Convert.ToHexStringLower(salt)),
            new("Argon2id.Threads", settings.Threads.ToString(CultureInfo.InvariantCulture)),
            new("CipherSuite", CipherSuiteValue),
        };
        return new PemBlock(EncryptedLabel, headers, body);
    }

    private static byte[] Decrypt(PemBlock block, string path, string passphrase, int maxMemoryKiB, int maxIterations)
    {
        if (block.Header("CipherSuite") != CipherSuiteValue)
        {
            throw new RpcException($"'{path}': unsupported CipherSuite '{block.Header("CipherSuite")}'.");
        }
        int iterations = IntHeader(block, "Argon2id.Iterations", path);
        int memory = IntHeader(block, "Argon2id.Memory", path);
        int threads = IntHeader(block, "Argon2id.Threads", path);
        int keyLength = IntHeader(block, "Argon2id.KeyLength", path);
        byte[] salt = new byte[64];
        if (keyLength != KeyBytes || block.Body.Length < NonceBytes + TagBytes
            || Convert.FromHexString(block.Header("Argon2id.Salt") ?? "", salt, out _, out int saltBytes)
                != System.Buffers.OperationStatus.Done
            || saltBytes < 8)
        {
            throw new RpcException($"'{path}': damaged encrypted key (bad key length, salt or body).");
        }
        salt = salt[..saltBytes];
        try
        {
            new Argon2Settings { Iterations = iterations, MemoryKiB = memory, Threads = threads }.Validate();
        }
        catch (ArgumentException e)
        {
            throw new RpcException($"'{path}': damaged encrypted key: {e.Message}", e);
        }
        if (memory > maxMemoryKiB || iterations > maxIterations)
        {
            throw new RpcException($"'{path}': Argon2 settings t={iterations}, m={memory} KiB exceed this reader's " +
                $"bounds (t ≤ {maxIterations}, m ≤ {maxMemoryKiB} KiB).");
        }
        byte[] key = DeriveKey(passphrase, salt, iterations, memory, threads);
        ReadOnlySpan<byte> body = block.Body;
        byte[] plain = new byte[body.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(body[..NonceBytes], body[NonceBytes..^TagBytes], body[^TagBytes..], plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new RpcException($"Wrong pass-phrase for '{path}' (or the file is damaged).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        return plain;
    }

    private static int IntHeader(PemBlock block, string name, string path) =>
        int.TryParse(block.Header(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new RpcException($"'{path}': header '{name}' is missing or not a number.");

    private static byte[] DeriveKey(string passphrase, byte[] salt, int iterations, int memoryKiB, int threads)
    {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithSalt(salt)
            .WithIterations(iterations)
            .WithMemoryAsKB(memoryKiB)
            .WithParallelism(threads)
            .Build();
        var generator = new Argon2BytesGenerator();
        generator.Init(parameters);
        byte[] key = new byte[KeyBytes];
        generator.GenerateBytes(Encoding.UTF8.GetBytes(passphrase), key);
        return key;
    }
}
