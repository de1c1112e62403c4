using MessagePack;
using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Protocol;

/// <summary>One chunk the taker holds: where it is in the summarized file, how long, and its BLAKE3.</summary>
[MessagePackObject]
public readonly record struct ChunkRecord
{
    /// <summary>Creates a record.</summary>
    [SerializationConstructor]
    public ChunkRecord(long offset, int length, ChunkHash hash)
    {
        Offset = offset;
        Length = length;
        Hash = hash;
    }

    /// <summary>Byte offset in the file.</summary>
    [Key(0)] public long Offset { get; }

    /// <summary>Length in bytes.</summary>
    [Key(1)] public int Length { get; }

    /// <summary>BLAKE3 of the chunk.</summary>
    [Key(2)] public ChunkHash Hash { get; }
}
