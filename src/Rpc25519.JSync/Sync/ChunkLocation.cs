namespace Rpc25519.JSync.Sync;

/// <summary>Where a chunk lives: a file (relative to the root), an offset and a length.</summary>
/// <param name="Path">Relative path of the file that holds the chunk.</param>
/// <param name="Offset">Byte offset in that file.</param>
/// <param name="Length">Length in bytes.</param>
public readonly record struct ChunkLocation(string Path, long Offset, int Length);
