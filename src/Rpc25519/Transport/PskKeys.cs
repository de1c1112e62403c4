using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Rpc25519.Transport;

/// <summary>
/// Key material of the pre-shared-key layer: the long-term key from the PSK file, and per connection the session
/// keys derived from an ephemeral X25519 exchange mixed with it (HKDF-SHA256, salt = the PSK, info bound to both
/// ephemeral public keys).
/// </summary>
internal static class PskKeys
{
    /// <summary>Bytes of an X25519 public key, of each derived key and of each confirmation tag.</summary>
    public const int Bytes = 32;

    private static readonly byte[] FileSalt = Encoding.ASCII.GetBytes("rpc25519 pre-shared key file v1");
    private static readonly byte[] SessionInfo = Encoding.ASCII.GetBytes("rpc25519 psk session v1");
    private static readonly SecureRandom Random = new();

    /// <summary>Reads a PSK file (at least 32 bytes; all of it is used) and condenses it to 32 bytes.</summary>
    /// <exception cref="RpcException">The file is missing or shorter than 32 bytes.</exception>
    public static byte[] ReadFile(string path)
    {
        byte[] contents;
        try
        {
            contents = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RpcException($"Cannot read the pre-shared key '{path}': {e.Message}", e);
        }
        if (contents.Length < Bytes)
        {
            throw new RpcException($"The pre-shared key '{path}' has {contents.Length} bytes; it needs at least " +
                $"{Bytes} (make one with 'selfy -gensym').");
        }
        byte[] key = HKDF.Extract(HashAlgorithmName.SHA256, contents, FileSalt);
        CryptographicOperations.ZeroMemory(contents);
        return key;
    }

    /// <summary>A fresh ephemeral X25519 key pair.</summary>
    public static (X25519PrivateKeyParameters Private, byte[] Public) NewEphemeral()
    {
        var key = new X25519PrivateKeyParameters(Random);
        return (key, key.GeneratePublicKey().GetEncoded());
    }

    /// <summary>Derives the session keys. Transcript = client public key || server public key.</summary>
    /// <exception cref="AuthenticationRejectedException">The peer's public key is degenerate.</exception>
    public static SessionKeys Derive(byte[] psk, X25519PrivateKeyParameters mine, ReadOnlySpan<byte> peerPublic,
        ReadOnlySpan<byte> clientPublic, ReadOnlySpan<byte> serverPublic)
    {
        byte[] shared = new byte[Bytes];
        try
        {
            var agreement = new X25519Agreement();
            agreement.Init(mine);
            agreement.CalculateAgreement(new X25519PublicKeyParameters(peerPublic), shared, 0);
        }
        catch (InvalidOperationException e)
        {
            throw new AuthenticationRejectedException("The peer's ephemeral X25519 key is invalid.", e);
        }
        if (CryptographicOperations.FixedTimeEquals(shared, new byte[Bytes]))
        {
            throw new AuthenticationRejectedException("The peer's ephemeral X25519 key is degenerate.");
        }
        byte[] transcript = [.. clientPublic, .. serverPublic];
        byte[] info = [.. SessionInfo, .. SHA256.HashData(transcript)];
        byte[] prk = HKDF.Extract(HashAlgorithmName.SHA256, shared, psk);
        byte[] okm = HKDF.Expand(HashAlgorithmName.SHA256, prk, 4 * Bytes, info);
        CryptographicOperations.ZeroMemory(shared);
        CryptographicOperations.ZeroMemory(prk);
        var keys = new SessionKeys(okm[..Bytes], okm[Bytes..(2 * Bytes)],
            HMACSHA256.HashData(okm[(2 * Bytes)..(3 * Bytes)], transcript),
            HMACSHA256.HashData(okm[(3 * Bytes)..], transcript));
        CryptographicOperations.ZeroMemory(okm);
        return keys;
    }

    /// <summary>One connection's keys: one AEAD key per direction and one confirmation tag per side.</summary>
    public sealed record SessionKeys(byte[] ClientToServer, byte[] ServerToClient, byte[] ClientConfirm,
        byte[] ServerConfirm);
}
