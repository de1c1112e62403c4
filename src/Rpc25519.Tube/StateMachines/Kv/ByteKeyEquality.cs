namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Equality of byte-string keys, for a table's point-lookup index. The hash is the runtime's
/// <see cref="HashCode"/>, seeded at random per process, so keys chosen to collide cannot be prepared in advance; the
/// index is never iterated, so its order, which differs between replicas, reaches no replicated state.</summary>
internal sealed class ByteKeyEquality : IEqualityComparer<byte[]>
{
    public static ByteKeyEquality Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode();
    }
}
