using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Rpc25519.Security;

/// <summary>Base58Check with the Bitcoin alphabet and version byte 255: how known-keys files write an Ed25519
/// key.</summary>
internal static class Base58Check
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const byte Version = 255;

    /// <summary>Encodes version 255, <paramref name="payload"/> and a 4-byte double-SHA-256 checksum.</summary>
    public static string Encode(ReadOnlySpan<byte> payload)
    {
        byte[] data = new byte[1 + payload.Length + 4];
        data[0] = Version;
        payload.CopyTo(data.AsSpan(1));
        byte[] check = SHA256.HashData(SHA256.HashData(data.AsSpan(0, 1 + payload.Length)));
        check.AsSpan(0, 4).CopyTo(data.AsSpan(1 + payload.Length));
        var value = new BigInteger(data, isUnsigned: true, isBigEndian: true);
        var sb = new StringBuilder();
        while (value > 0)
        {
            value = BigInteger.DivRem(value, 58, out BigInteger digit);
            sb.Insert(0, Alphabet[(int)digit]);
        }
        foreach (byte b in data)
        {
            if (b != 0)
            {
                break;
            }
            sb.Insert(0, '1');
        }
        return sb.ToString();
    }
}
