using System.Collections.Concurrent;
using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// A tree-wide index: chunk hash → one place that holds it. The giver builds one from the taker's summaries (to
/// decide copy or literal) and the taker builds the same from its own files (to find the bytes). The first location
/// added for a hash wins, so the index is deterministic for a given order of additions. Safe for concurrent
/// use (the taker's send and receive loops both add to it); never enumerated, so hash order reaches no decision.
/// </summary>
public sealed class ChunkIndex
{
    private readonly ConcurrentDictionary<ChunkHash, ChunkLocation> _locations = new();

    /// <summary>Distinct chunks indexed.</summary>
    public int Count => _locations.Count;

    /// <summary>Indexes a chunk; a hash already present keeps its first location.</summary>
    public void Add(ChunkHash hash, ChunkLocation location) => _locations.TryAdd(hash, location);

    /// <summary>Indexes every chunk of a summary batch.</summary>
    public void Add(string path, IEnumerable<ChunkRecord> chunks)
    {
        foreach (ChunkRecord c in chunks)
        {
            Add(c.Hash, new ChunkLocation(path, c.Offset, c.Length));
        }
    }

    /// <summary>True when some file holds a chunk with this hash.</summary>
    public bool Contains(ChunkHash hash) => _locations.ContainsKey(hash);

    /// <summary>Finds where a chunk lives.</summary>
    public bool TryGet(ChunkHash hash, out ChunkLocation location) => _locations.TryGetValue(hash, out location);
}
