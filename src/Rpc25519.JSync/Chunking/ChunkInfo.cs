using Rpc25519.JSync.Hashing;

namespace Rpc25519.JSync.Chunking;

/// <summary>One chunk of a file: where it is, how long, its BLAKE3, and whether it is all zeros.</summary>
/// <param name="Offset">Byte offset of the chunk in its file.</param>
/// <param name="Length">Length in bytes (at most the chunker's maximum).</param>
/// <param name="Hash">BLAKE3 of the chunk's bytes; <c>default</c> for an all-zero chunk, which is never hashed.</param>
/// <param name="IsZero">True when every byte is zero: such chunks travel as a length and are written as holes.</param>
public readonly record struct ChunkInfo(long Offset, int Length, ChunkHash Hash, bool IsZero);
