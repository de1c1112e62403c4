using System.Security.Cryptography;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// The replica key's tag on Raft messages (<see cref="TubeReplicaOptions.ReplicaKey"/>): an HMAC-SHA256 of the
/// encoded message, appended to it. Without a key, messages go untagged.
/// </summary>
internal static class RaftMessageSeal
{
    public const int TagBytes = HMACSHA256.HashSizeInBytes;

    /// <summary>The encoded message followed by its tag (the message itself without a key).</summary>
    public static byte[] Seal(byte[] encoded, byte[]? key)
    {
        if (key is null)
        {
            return encoded;
        }

        var sealedBytes = new byte[encoded.Length + TagBytes];
        encoded.CopyTo(sealedBytes, 0);
        HMACSHA256.HashData(key, encoded, sealedBytes.AsSpan(encoded.Length));
        return sealedBytes;
    }

    /// <summary>The length of the message inside <paramref name="payload"/>, or -1 when its tag does not verify
    /// (always the whole payload without a key).</summary>
    public static int Open(byte[] payload, byte[]? key)
    {
        if (key is null)
        {
            return payload.Length;
        }

        int length = payload.Length - TagBytes;
        if (length < 0)
        {
            return -1;
        }

        Span<byte> expected = stackalloc byte[TagBytes];
        HMACSHA256.HashData(key, payload.AsSpan(0, length), expected);
        return CryptographicOperations.FixedTimeEquals(expected, payload.AsSpan(length)) ? length : -1;
    }
}
